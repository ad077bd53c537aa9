"""Solvers over a compiled rule set.

=================  ==========================================================
package            what it holds
=================  ==========================================================
``diagram``        rule tables and the decision diagram
``queries``        check, counts, domains, enumeration, the support matrix
``explain``        the propagator, conflicts, diagnoses and their wording
``repair``         change weights and ``nearest``
``plan``           moves, search, plans for one setup or an inventory
``results``        small frozen result values several packages share
=================  ==========================================================

Imports go one way: ``plan`` → ``repair`` → ``explain`` → ``diagram``;
``queries`` → ``explain`` → ``diagram``; everything may read ``results``.
"""
