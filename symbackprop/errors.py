"""Errors symbackprop raises for bad input.

Every error names where the problem is (a file, a spec field, a formula) and
what would be valid, so the command line can print it on one line and exit
with code 2.
"""

from __future__ import annotations


class SymbackpropError(Exception):
    """Base class of the errors raised for bad input."""

    exit_code = 2


class SpecError(SymbackpropError, ValueError):
    """A spec that cannot be used: names the source, the field and the fix.

    ``str(error)`` is one line: ``<source>: <field>: <message>``.
    """

    def __init__(self, message: str, *, field: str | None = None, source: str | None = None):
        self.message = message
        self.field = field
        self.source = source
        super().__init__(self._line())

    def _line(self) -> str:
        parts = [p for p in (self.source, self.field) if p]
        return ": ".join([*parts, self.message])

    def located(self, *, source: str | None = None, field: str | None = None) -> SpecError:
        """The same error with a source (file name) or an enclosing field filled in."""
        return type(self)(
            self.message,
            field=self.field if self.field else field,
            source=self.source if self.source else source,
        )


class FormulaError(SpecError):
    """A formula the whitelist parser rejects: names the offending token and its column."""

    def __init__(
        self,
        message: str,
        *,
        formula: str = "",
        token: str | None = None,
        column: int | None = None,
        field: str | None = None,
        source: str | None = None,
    ):
        self.formula = formula
        self.token = token
        self.column = column
        super().__init__(message, field=field, source=source)

    def located(self, *, source: str | None = None, field: str | None = None) -> FormulaError:
        return FormulaError(
            self.message,
            formula=self.formula,
            token=self.token,
            column=self.column,
            field=self.field if self.field else field,
            source=self.source if self.source else source,
        )
