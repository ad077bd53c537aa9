"""The compiled form of a rule set: rule tables and the decision diagram, built in memory.

=================  ==========================================================
module             what it holds
=================  ==========================================================
``indices``        ``VarIndex``, ``Depth``, ``ValueIndex``, ``NodeId``: the index kinds
``tables``         each rule as a look-up table over value indices
``mdd``            the quasi-reduced decision diagram, with verdict terminals
``compile``        folding one small diagram per rule into the whole diagram
``live``           the live values of a diagram by table look-ups, a step per depth
``space``          ``Space``: tables and diagram of one model, built once per process
``precompiled``    the built-in seed's space, read back from its precompiled file
=================  ==========================================================

Every query, explanation and plan reads a ``Space``; nothing here knows of them.
No process writes anything to disk: compiling is cheaper than proving a stored
diagram right; only the built-in seed ships precompiled, in the package, checked
against its sources (see docs/architecture.md, "The diagram cache").
"""
