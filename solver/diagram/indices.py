"""The index kinds of the compiled form, named so that a signature says which one it takes.

``Level`` (from :mod:`syncscope.model`) is a verdict, never a position in the diagram.

Examples
--------
>>> from syncscope.solver.diagram.space import compiled
>>> space = compiled()
>>> var: VarIndex = space.tables.index_of["email_system"]
>>> depth: Depth = space.diagram.order.index(var)
>>> value: ValueIndex = space.tables.value_index[var]["gmail"]
>>> space.tables.domains[space.diagram.order[depth]][value]
'gmail'
"""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["Depth", "NodeId", "ValueIndex", "VarIndex"]

VarIndex: TypeAlias = int
"""A variable's position in ``Model.variables``."""
Depth: TypeAlias = int
"""A layer of the diagram, counted from the root (0); ``Diagram.order`` maps it to a variable."""
ValueIndex: TypeAlias = int
"""A value's position in its variable's domain."""
NodeId: TypeAlias = int
"""A node of a diagram; ids below ``TERMINALS`` are the verdict terminals."""
