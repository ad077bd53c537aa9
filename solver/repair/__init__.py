"""The cost of changes and the cheapest repairs.

=================  ==========================================================
module             what it does
=================  ==========================================================
``weights``        ``Weights``: what each change costs, per pair of values, exactly
``nearest``        the distinct cheapest fixes, within ``allowed`` values
``ranking``        the order of equally cheap fixes, as terms that add up per variable
``kbest``          the ``k`` cheapest distinct fixes, across costs, exactly
=================  ==========================================================
"""
