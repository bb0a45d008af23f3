"""Stage 5, verification: the derived gradients against the closed forms, exactly where SymPy can, numerically
elsewhere, with a counterexample when a closed form is wrong.

``verify`` (the driver), ``plan`` (which methods run, and every check each makes), one module per method
(``exact``, ``all_widths``, ``numeric``), ``sampling`` (points and counterexamples, shared with ``check``) and
``report`` (the results).
"""

from symbackprop.verification.driver import identities, verify
from symbackprop.verification.plan import EXACT_LIMIT, EXAMPLES, METHODS, planned_checks
from symbackprop.verification.report import Check, Report, VerificationError

__all__ = [
    "EXACT_LIMIT",
    "EXAMPLES",
    "METHODS",
    "Check",
    "Report",
    "VerificationError",
    "identities",
    "planned_checks",
    "verify",
]
