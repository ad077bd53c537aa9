"""The order of ``nearest``'s fixes as whole numbers that add up over the variables.

``nearest`` ranks equally cheap fixes: supported before discouraged, then fewer
changes to organisation-wide settings, then to email server profiles, then fewer
changes, then by the changes' text (each changed variable in model order with the
label of its new value, casefolded). Each of these is a digit of one whole number,
most significant first, and every digit is a count or a label rank that one
variable's change contributes to: so the rank of a fix is a *sum* over the given
variables of one term per (variable, value), plus a term for the verdict. Adding
the walk's value order as the least significant digits makes the sum of a path of
a fully given configuration unique, and the cheapest ``k`` paths can be kept from
the bottom of the diagram up instead of listing every tied fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from syncscope.model.costs import SCOPES, costs_for

from ..diagram.mdd import TERMINALS
from ..diagram.space import Space, per_space

__all__ = ["Known", "Ranking", "ranked_tables", "ranking", "terms"]


@dataclass(frozen=True, slots=True)
class Known:
    """Per space: what ranking a fix and writing its candidate need, by variable and value."""

    scope: tuple[int, ...]
    """Per variable: its position in ``SCOPES`` (organisation first)."""
    text: tuple[tuple[tuple[int, str], ...], ...]
    """Per variable and value: (variable index, the value's label casefolded)."""
    advice: tuple[tuple[str | None, ...], ...]
    """Per variable and value: the advice for moving there, if any."""


@per_space
def ranked_tables(space: Space) -> Known:
    """The scopes, label texts and advice of a space's variables, built once per space.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> known = ranked_tables(space)
    >>> d = space.tables.index_of["deployment"]
    >>> SCOPES[known.scope[d]], known.text[d][0][0] == d
    ('organisation', True)
    """
    model = space.model
    table = costs_for(model)
    width = {scope: i for i, scope in enumerate(SCOPES)}
    variables = model.variables
    return Known(
        scope=tuple(width[table.scope(var.name)] for var in variables),
        text=tuple(
            tuple((v, var.label_of(value).casefold()) for value in var.domain)
            for v, var in enumerate(variables)
        ),
        advice=tuple(
            tuple(table.advice(var.name, value) for value in var.domain) for var in variables
        ),
    )


@dataclass(frozen=True, slots=True)
class Ranking:
    """Per space: the terms whose sums order fixes (see the module docstring).

    A fully given configuration's path is worth the sum, over depths, of
    ``moved[d][i]`` where it changes depth ``d`` to value ``i`` or ``kept[d][i]``
    where it keeps ``i``, plus ``terminal[t]`` for its verdict; smaller sums come
    first, exactly as (rank, path in value order) do. The digits, most significant
    first: verdict, organisation changes, profile changes, changes, per depth the
    rank of the changed value's label (a kept value's digit is above any rank),
    then per depth the value itself. The ``*_rank`` tables leave the value digits
    out: they rank fixes of any given variables, ties and all.
    """

    depth: tuple[int, ...]
    """By node id: its depth (terminals: the number of depths)."""
    moved: tuple[tuple[int, ...], ...]
    """Per depth and value: the term of a path that changes to that value."""
    kept: tuple[tuple[int, ...], ...]
    """Per depth and value: the term of a path that keeps that (given) value."""
    terminal: tuple[int, ...]
    """By terminal id: the term of a path ending there (its verdict)."""
    moved_rank: tuple[tuple[int, ...], ...]
    """``moved`` without the value digits."""
    kept_rank: tuple[tuple[int, ...], ...]
    """``kept`` without the value digits."""
    verdict: tuple[int, ...]
    """``terminal`` without the value digits."""


@per_space
def ranking(space: Space) -> Ranking:
    """The ranking terms of a space, built once per space.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> order = ranking(space)
    >>> d = space.tables.index_of["ports"]  # a profile setting
    >>> order.kept_rank[d][0] < order.moved_rank[d][1]  # any change ranks after none
    True
    >>> order.verdict[0] < order.verdict[1] < order.verdict[2]  # supported first
    True
    """
    known = ranked_tables(space)
    diagram, sizes = space.diagram, space.tables.sizes
    n = len(sizes)
    base = max(sizes, default=1) + 1  # label ranks, and a kept value's digit (the largest)
    width = max(sizes, default=1)  # value indices
    lex = width**n
    changes = base**n
    profile = changes * (n + 1)
    organisation = profile * (n + 1)
    verdict = organisation * (n + 1)
    moved: list[tuple[int, ...]] = []
    kept: list[tuple[int, ...]] = []
    moved_rank: list[tuple[int, ...]] = []
    kept_rank: list[tuple[int, ...]] = []
    for d in range(n):
        labels = [label for _, label in known.text[d]]
        rank = {label: r for r, label in enumerate(sorted(set(labels)))}
        place, where = base ** (n - 1 - d), width ** (n - 1 - d)
        scope = known.scope[d]
        counts = changes + (organisation if scope == 0 else profile if scope == 1 else 0)
        moved_rank.append(tuple(counts + rank[label] * place for label in labels))
        kept_rank.append(((base - 1) * place,) * sizes[d])
        moved.append(tuple(r * lex + i * where for i, r in enumerate(moved_rank[d])))
        kept.append(tuple(r * lex + i * where for i, r in enumerate(kept_rank[d])))
    depth = [n] * len(diagram.children)
    for d, nodes in enumerate(diagram.levels):
        for node in nodes:
            depth[node] = d
    verdicts = tuple(t * verdict for t in range(TERMINALS))
    return Ranking(
        depth=tuple(depth),
        moved=tuple(moved),
        kept=tuple(kept),
        terminal=tuple(t * lex for t in verdicts),
        moved_rank=tuple(moved_rank),
        kept_rank=tuple(kept_rank),
        verdict=verdicts,
    )


def terms(
    pairs: Sequence[tuple[int, int]],
    moved: Sequence[tuple[int, ...]],
    kept: Sequence[tuple[int, ...]],
) -> list[tuple[int, ...]]:
    """Per given (variable, value) in ``pairs``: every value's term, ``kept`` for the given one.

    Examples
    --------
    >>> terms([(0, 1)], [(10, 11, 12)], [(0, 1, 2)])
    [(10, 1, 12)]
    """
    out = []
    for v, g in pairs:
        row = list(moved[v])
        row[g] = kept[v][g]
        out.append(tuple(row))
    return out
