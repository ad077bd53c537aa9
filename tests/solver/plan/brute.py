"""Brute-force references shared by the planning tests."""

from __future__ import annotations

import itertools

from syncscope.solver.plan.moves import Node

__all__ = ["is_minimal_move"]


def is_minimal_move(valid: frozenset[Node], a: Node, b: Node) -> bool:
    """Whether no valid configuration makes only part of the change from ``a`` to ``b``."""
    changed = [i for i in range(len(a)) if a[i] != b[i]]
    for size in range(1, len(changed)):
        for part in itertools.combinations(changed, size):
            point = list(a)
            for i in part:
                point[i] = b[i]
            if tuple(point) in valid:
                return False
    return True
