"""The compiled form of a rule set: rule tables, the decision diagram and its cache.

=================  ==========================================================
module             what it holds
=================  ==========================================================
``tables``         each rule as a look-up table over value indices
``mdd``            the quasi-reduced decision diagram, with verdict terminals
``compile``        folding one small diagram per rule into the whole diagram
``space``          ``Space``: tables and diagram of one model, built once
``cache``          the on-disk cache of compiled diagrams
=================  ==========================================================

Every query, explanation and plan reads a ``Space``; nothing here knows of them.
"""
