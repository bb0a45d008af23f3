"""Teaching: step-by-step proofs (``proof``) and the LaTeX document of a derivation, compiled to PDF
(``document``)."""
