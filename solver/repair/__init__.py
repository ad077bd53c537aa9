"""The cost of changes and the cheapest repairs.

=================  ==========================================================
module             what it does
=================  ==========================================================
``weights``        ``Weights``: what each change costs, per pair of values, exactly
``nearest``        the distinct cheapest fixes, within ``allowed`` values
``kbest``          the ``k`` best distinct fixes across costs, by a best-first search
``ranking``        the order of equally cheap fixes, as terms that add up per variable
``kbest``          the ``k`` cheapest distinct fixes, across costs, exactly
=================  ==========================================================
"""
