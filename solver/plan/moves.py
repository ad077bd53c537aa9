"""Minimal moves: the ways to go from one valid configuration to another in one step.

A *move* changes a set of variables at once. It is *minimal* when it goes from
a valid configuration to a valid one and no proper, non-empty subset of the
same changes also lands on a valid configuration: the variables it changes
must change together.

The relation is compiled once per model into a *move diagram*, a decision
diagram over pairs of paths of the verdict diagram. Reading level by level a
value ``x`` of the configuration left and a value ``y`` of the one reached, a
state of the move diagram remembers the node of the verdict diagram each of
them is at, and the nodes that every *mixed* path is at: the configurations
that apply only some of the changes so far. Mixed paths that meet the path of
either end share its future, so they end valid, and the move is not minimal;
at the bottom, every mixed path must end at an invalid verdict. Only states
with an accepted completion are kept, so enumerating the moves that leave a
configuration never meets a dead end.

Minimality depends on the rules alone: keeping a variable fixed or avoiding a
value removes configurations, never turns a move that is not minimal into one.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence

from syncscope.model import Level

from ..diagram.mdd import TERMINALS, Diagram
from ..diagram.space import Space

__all__ = ["Move", "MoveDiagram", "move_diagram"]

Node = tuple[int, ...]
"""A full configuration as value indices, one per variable in model order."""

Move = tuple[Node, tuple[int, ...]]
"""A move: the configuration reached, and the variables (indices, ascending) it changes."""

_ACCEPT = 0
_NONE = -1
_VALID = tuple(int(level) for level in Level.valid_levels())
_MEMO_LIMIT = 400_000
"""Configurations whose moves are remembered per diagram before the memo starts over."""


class MoveDiagram:
    """The minimal-move relation of one model, with the moves of visited configurations memoised.

    Build one with :func:`move_diagram`. States are numbered from 1; state 0 accepts.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> space = compiled()
    >>> moves = move_diagram(space)
    >>> start = space.tables.encode({
    ...     "deployment": "online", "version": "8.2", "email_system": "gmail",
    ...     "incoming_protocol": "pop3", "outgoing_protocol": "smtp",
    ...     "sync_appointments_contacts_tasks": False,
    ...     "authentication": "user-or-queue-credentials", "autodiscover": True,
    ...     "profile_type": "pop3-smtp", "ports": "default", "same_tenant": True,
    ...     "fips_mode": False, "mfa": False, "customer_key": False,
    ...     "outlook_on_the_web": False, "outlook_manual_tracking": False,
    ...     "mass_email_campaigns": False, "custom_email_provider": False,
    ...     "mixed_outlook_act_sync": False})
    >>> node = tuple(start[v] for v in range(len(start)))
    >>> to_exo = [m for m in moves.moves(node) if m[0][2] == 0]  # email_system -> Exchange Online
    >>> [space.tables.names[v] for v in to_exo[0][1]]
    ['email_system', 'incoming_protocol', 'outgoing_protocol', 'authentication', 'profile_type']
    """

    __slots__ = ("_lock", "_memo", "components", "root", "size", "transitions")

    def __init__(
        self,
        root: int,
        transitions: Sequence[Sequence[tuple[tuple[int, int], ...]]],
        components: Sequence[frozenset[int]],
    ) -> None:
        self.root = root
        """The state before the first level."""
        self.transitions = transitions
        """By state, then by the value left: ((value reached, next state), ...), in value order."""
        self.size = len(transitions) - 1
        """The number of states, the accepting one aside."""
        self.components = tuple(components)
        """The variables that ever change together, in groups: two variables that some minimal
        move changes at once are in the same group (closed under chains). A variable that only
        ever changes alone is a group of its own. Ordered by smallest variable."""
        self._memo: dict[Node, tuple[Move, ...]] = {}
        self._lock = threading.Lock()

    def moves(self, node: Node) -> tuple[Move, ...]:
        """Every minimal move from the valid configuration ``node``, in value order.

        Returns an empty tuple for an invalid configuration (it has no moves).
        """
        hit = self._memo.get(node)
        if hit is not None:
            return hit
        found = self._enumerate(node)
        with self._lock:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[node] = found
        return found

    def moves_within(
        self, node: Node, changeable: Sequence[frozenset[int] | None]
    ) -> tuple[Move, ...]:
        """The minimal moves from ``node`` that change variables only to values in ``changeable``.

        Per variable, ``changeable`` holds the values it may change to (None: any);
        the walk skips every other change, so it costs less than filtering
        :meth:`moves`. Not memoised.
        """
        return self._enumerate(node, changeable)

    def _enumerate(
        self, node: Node, changeable: Sequence[frozenset[int] | None] | None = None
    ) -> tuple[Move, ...]:
        if not node or self.root == _NONE:
            return ()
        transitions = self.transitions
        out: list[Move] = []
        reached = list(node)
        changed: list[int] = []

        def walk(state: int, level: int) -> None:
            # Follow forced stretches (only "keep the value" leads on) without recursing.
            while state != _ACCEPT:
                here = node[level]
                options = transitions[state][here]
                if len(options) != 1 or options[0][0] != here:
                    break
                state = options[0][1]
                level += 1
            else:
                out.append((tuple(reached), tuple(changed)))
                return
            may = None if changeable is None else changeable[level]
            for value, nxt in options:
                if value == here:
                    walk(nxt, level + 1)
                elif may is None or value in may:
                    reached[level] = value
                    changed.append(level)
                    walk(nxt, level + 1)
                    changed.pop()
                    reached[level] = here

        walk(self.root, 0)
        return tuple(out)


def move_diagram(space: Space) -> MoveDiagram:
    """The move diagram of a compiled model, built once per rule set and memoised.

    Examples
    --------
    >>> from syncscope.solver.diagram.space import compiled
    >>> move_diagram(compiled()).size > 0
    True
    """
    key = space.model.digest
    with _lock:
        hit = _built.get(key)
    if hit is not None:
        return hit
    built = _build(space.diagram)
    with _lock:
        _built.setdefault(key, built)
        return _built[key]


_lock = threading.Lock()
_built: dict[str, MoveDiagram] = {}

State = tuple[int, int, frozenset[int], bool]
"""(node of the left path, node of the reached path, nodes of the mixed paths, changed yet)."""


def _build(diagram: Diagram) -> MoveDiagram:
    """Compile the minimal-move relation of ``diagram`` (levels must follow model order)."""
    if diagram.order != tuple(range(len(diagram.order))):
        raise ValueError("the move diagram needs a verdict diagram in model order")
    children = diagram.children
    valid_mask = diagram.lane_mask(Level.valid_levels())
    alive = [bool(b & valid_mask) for b in diagram.below]
    ids: dict[State, int] = {}
    table: list[tuple[tuple[tuple[int, int], ...], ...]] = [()]
    depth_of: list[int] = [len(diagram.levels)]
    rejected: set[State] = set()

    def visit(state: State) -> int | None:
        """The id of ``state`` if some completion is accepted, else None."""
        if state in rejected:
            return None
        known = ids.get(state)
        if known is not None:
            return known
        left, right, mixed, changed = state
        if left < TERMINALS:
            accepted = changed and left in _VALID and right in _VALID
            if accepted and all(m not in _VALID for m in mixed):
                return _ACCEPT
            rejected.add(state)
            return None
        lkids, rkids = children[left], children[right]
        edges: dict[int, list[tuple[int, int]]] = {}
        for x, lkid in enumerate(lkids):
            if not alive[lkid]:
                continue
            for y, rkid in enumerate(rkids):
                if not alive[rkid]:
                    continue
                if x == y:
                    nxt_mixed = frozenset(children[m][x] for m in mixed)
                    now_changed = changed
                else:
                    spread = set()
                    for m in mixed:
                        kids = children[m]
                        spread.add(kids[x])
                        spread.add(kids[y])
                    if changed:
                        spread.add(lkids[y])
                        spread.add(rkids[x])
                    nxt_mixed = frozenset(spread)
                    now_changed = True
                # A mixed path that meets either end shares its (valid) future.
                if lkid in nxt_mixed or rkid in nxt_mixed:
                    continue
                target = visit((lkid, rkid, nxt_mixed, now_changed))
                if target is not None:
                    edges.setdefault(x, []).append((y, target))
        if not edges:
            rejected.add(state)
            return None
        number = len(table)
        ids[state] = number
        depth_of.append(_level(diagram, left))
        table.append(tuple(tuple(edges.get(x, ())) for x in range(len(lkids))))
        return number

    root = diagram.root
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * len(diagram.levels) + 100))
    try:
        top = visit((root, root, frozenset(), False))
    finally:
        sys.setrecursionlimit(limit)
    n = len(diagram.levels)
    singles = [frozenset([v]) for v in range(n)]
    if top is None:  # no two valid configurations: no moves at all
        return MoveDiagram(_NONE, ((),), singles)
    return MoveDiagram(top, tuple(table), _groups(table, depth_of, top, n))


def _level(diagram: Diagram, node: int) -> int:
    for level, ids in enumerate(diagram.levels):
        if node in ids:
            return level
    raise ValueError(f"node {node} is on no level")


def _groups(
    table: Sequence[Sequence[tuple[tuple[int, int], ...]]],
    depth_of: Sequence[int],
    root: int,
    n: int,
) -> tuple[frozenset[int], ...]:
    """Connected groups of the variables that some minimal move changes together.

    Per state, the union of the levels some path from the root changes
    (``before``) and some path to acceptance changes (``after``); a change at
    one level then goes together, on one accepted path, with each of those.
    """
    order = sorted(range(1, len(table)), key=depth_of.__getitem__)
    before = [0] * len(table)
    for s in order:
        level = depth_of[s]
        for x, options in enumerate(table[s]):
            for y, nxt in options:
                if nxt != _ACCEPT:
                    before[nxt] |= before[s] | ((1 << level) if x != y else 0)
    after = [0] * len(table)
    for s in reversed(order):
        level = depth_of[s]
        bits = 0
        for x, options in enumerate(table[s]):
            for y, nxt in options:
                bits |= after[nxt] | ((1 << level) if x != y else 0)
        after[s] = bits
    parent = list(range(n))

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for s in order:
        level = depth_of[s]
        for x, options in enumerate(table[s]):
            for y, nxt in options:
                if x == y:
                    continue
                together = before[s] | after[nxt]
                for other in range(n):
                    if together >> other & 1:
                        parent[find(other)] = find(level)
    members: dict[int, set[int]] = {}
    for v in range(n):
        members.setdefault(find(v), set()).add(v)
    return tuple(sorted((frozenset(m) for m in members.values()), key=min))
