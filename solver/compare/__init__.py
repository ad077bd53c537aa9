"""Comparing rule sets (editions, overlays) on their compiled diagrams, never by enumeration.

- :mod:`.project`: a diagram projected onto chosen variables, the others at their best value.
- :mod:`.product`: the product of two projected diagrams: transition counts and cube covers.
- :mod:`.diff`: what changed between two rule sets (transitions, tables, rules).
- :mod:`.against`: one configuration under two rule sets (both verdicts, findings, the nearest fix).
"""
