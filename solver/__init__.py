"""Solvers over a compiled rule set."""
