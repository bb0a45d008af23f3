"""Stage 4, the closed forms: BP1–BP4 and ∇_x C for each notation, small recipes that cite their source."""
