"""A plan's graph in networkx: every configuration and move on some plan with the fewest steps.

The graph is built over what the question needs and nothing else: the
configurations that lie on a shortest plan from the start to the target, in
layers by the number of steps taken, with the minimal moves between
consecutive layers. Every path from the start to an end therefore has the
fewest steps, ``nx.all_shortest_paths`` lists all the plans, and the cheapest
path by the ``cost`` edge attribute is the plan :func:`~syncscope.solver.plan.planner.plan` returns
(or one as cheap).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from syncscope.model import Value

from ..diagram.space import Space
from ..results import Change
from .moves import Node
from .results import Solution
from .search import region
from .ties import ties

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["build_graph", "node_key"]


def node_key(space: Space, node: Node) -> tuple[Value, ...]:
    """A configuration as the graph names it: its canonical values in model order."""
    domains = space.tables.domains
    return tuple(domains[v][i] for v, i in enumerate(node))


def build_graph(space: Space, solution: Solution) -> nx.DiGraph:
    """The graph of every shortest plan of ``solution``.

    Node keys are tuples of canonical values in model order. Node attributes:
    ``configuration`` (dict), ``verdict``, ``step`` (steps from the start) and
    ``on_plan``. Edge attributes: ``changes`` (tuple of :class:`Change`),
    ``variables``, ``cost``, ``tied_by`` (rule ids), ``repair`` and ``on_plan``.
    Graph attributes: ``start``, ``end`` (the plan's end), ``ends`` (every end
    some shortest plan reaches), ``steps``, ``cost``, ``variables`` (the model's
    names) and ``plan`` (the :class:`~syncscope.solver.plan.planner.Plan`). Without a plan
    the graph is empty but for its attributes.

    Examples
    --------
    >>> import networkx as nx
    >>> from syncscope.solver.diagram.space import compiled
    >>> from syncscope.solver.plan.planner import solve
    >>> space = compiled()
    >>> start = {"deployment": "on-premises", "version": "8.2", "email_system": "gmail",
    ...     "incoming_protocol": "pop3", "outgoing_protocol": "smtp",
    ...     "sync_appointments_contacts_tasks": False,
    ...     "authentication": "profile-credentials", "autodiscover": False,
    ...     "profile_type": "pop3-smtp", "ports": "default", "same_tenant": True,
    ...     "fips_mode": False, "mfa": False, "customer_key": False,
    ...     "outlook_on_the_web": False, "outlook_manual_tracking": False,
    ...     "mass_email_campaigns": False, "custom_email_provider": False,
    ...     "mixed_outlook_act_sync": False}
    >>> target = dict(start, autodiscover=True, ports="custom")
    >>> graph = build_graph(space, solve(space, start, target))
    >>> graph.graph["steps"], len(list(nx.all_shortest_paths(graph, graph.graph["start"],
    ...                                                        graph.graph["end"])))
    (2, 2)
    """
    import networkx as nx

    tables = space.tables
    plan = solution.plan
    graph = nx.DiGraph()
    graph.graph.update(
        plan=plan,
        variables=tables.names,
        steps=len(plan.steps),
        cost=plan.cost,
        start=node_key(space, solution.origin) if solution.origin is not None else None,
        end=None,
        ends=(),
    )
    walker, goal, route = solution.walker, solution.goal, solution.route
    if walker is None or goal is None or route is None or solution.origin is None:
        return graph
    first = route.path[0]
    layers, edges = region(walker, first, goal, route.steps)
    shift = 0 if solution.repaired is None else 1
    on_plan = set(route.path)
    plan_edges = set(zip(route.path, route.path[1:], strict=False))

    def add_node(node: Node, step: int, marked: bool) -> None:
        key = node_key(space, node)
        graph.add_node(
            key,
            configuration=tables.decode(node),
            verdict=tables.verdict(node).id,
            step=step,
            on_plan=marked,
        )

    def edge_data(before: Node, after: Node, cost: float, repair: bool) -> dict[str, Any]:
        changed = tuple(v for v in range(len(before)) if before[v] != after[v])
        return {
            "changes": tuple(
                Change(tables.names[v], tables.domains[v][before[v]], tables.domains[v][after[v]])
                for v in changed
            ),
            "variables": tuple(tables.names[v] for v in changed),
            "cost": cost,
            "tied_by": tuple(r.id for r in ties(tables, before, after)) if not repair else (),
            "repair": repair,
        }

    if solution.repaired is not None:
        add_node(solution.origin, 0, True)
        repair_step = plan.steps[0]
        data = edge_data(solution.origin, first, repair_step.cost, True)
        data["tied_by"] = tuple(r.id for r in repair_step.tied_by)
        add_node(first, 1, True)
        graph.add_edge(
            node_key(space, solution.origin), node_key(space, first), on_plan=True, **data
        )
    for i, layer in enumerate(layers):
        for node in sorted(layer):
            add_node(node, i + shift, node in on_plan)
    for before, after, (_, cost, _) in edges:
        graph.add_edge(
            node_key(space, before),
            node_key(space, after),
            on_plan=(before, after) in plan_edges,
            **edge_data(before, after, cost / solution.scale, False),
        )
    graph.graph["end"] = node_key(space, route.path[-1])
    graph.graph["ends"] = tuple(node_key(space, n) for n in sorted(layers[-1]))
    return graph
