"""The notations: how each source text numbers layers, names quantities and lays out weights.

``catalogue`` holds the notations as data; ``naming`` the names of a network's symbols.
"""
