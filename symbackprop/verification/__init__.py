"""Stage 5, verification: the derived gradients against the closed forms, exactly where SymPy can, numerically
elsewhere, with a counterexample when a closed form is wrong."""
