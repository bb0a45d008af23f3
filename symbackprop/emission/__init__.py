"""Stage 6, emission: the spec's network as a standalone NumPy training module, from Jinja2 templates."""
