"""Migration plans: safe, ordered steps from one configuration to another.

=================  ==========================================================
module             what it does
=================  ==========================================================
``moves``          minimal moves between valid configurations, precompiled
``search``         shortest, then cheapest, paths over those moves
``ends``           repairs of an invalid start, stand-ins for a partial target
``planner``        ``plan``: the whole question, with avoided values
``batch``          plans for an inventory, grouped by plan
``graph``          every fewest-step plan as a networkx graph
``ties``           why a move's changes must be made together
``results``        the result types of planning
=================  ==========================================================
"""
