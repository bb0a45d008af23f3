"""Printers: SymPy expressions as NumPy code (``numpy``), LaTeX (``latex``) and terminal text (``text``)."""
