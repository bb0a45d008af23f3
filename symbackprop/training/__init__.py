"""Training: data sets (``data``, ``download``) and the generated module trained on them (``train``)."""
