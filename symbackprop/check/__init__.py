"""Checking a person's formulas: ``read`` parses an answer (never evaluates it), ``grade`` gives the verdict."""
