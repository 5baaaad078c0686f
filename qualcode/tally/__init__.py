"""Tallies of coded references, crosstabs and co-occurrence."""
