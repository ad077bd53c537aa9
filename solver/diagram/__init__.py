"""The compiled form of a rule set: rule tables and the decision diagram, built in memory.

=================  ==========================================================
module             what it holds
=================  ==========================================================
``indices``        ``VarIndex``, ``Depth``, ``ValueIndex``, ``NodeId``: the index kinds
``tables``         each rule as a look-up table over value indices
``mdd``            the quasi-reduced decision diagram, with verdict terminals
``compile``        folding one small diagram per rule into the whole diagram
``space``          ``Space``: tables and diagram of one model, built once per process
=================  ==========================================================

Every query, explanation and plan reads a ``Space``; nothing here knows of them.
Nothing is kept on disk: compiling is cheaper than proving a stored diagram
right (see docs/architecture.md, "The diagram cache").
"""
