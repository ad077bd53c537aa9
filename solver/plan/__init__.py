"""Migration plans: safe, ordered steps from one configuration to another.

=================  ==========================================================
module             what it does
=================  ==========================================================
``moves``          minimal moves between valid configurations, precompiled
``search``         monotone, then shortest, then cheapest paths over those moves
``blocks``         the fewest-blocks lower bound that guides a monotone search
``ends``           repairs of an invalid start, stand-ins for a partial target
``planner``        ``plan``: monotone first, with avoided values and detours explained
``batch``          plans for an inventory, grouped by plan (``--per-group``)
``org``            one plan for an organisation: organisation-wide changes at one step
``cross``          plans across editions, with one upgrade step between them
``graph``          every fewest-step plan as a networkx graph
``ties``           why a move's changes must be made together
``results``        the result types of planning
=================  ==========================================================
"""
