"""The cost of changes and the cheapest repairs.

=================  ==========================================================
module             what it does
=================  ==========================================================
``weights``        ``Weights``: what changing each setting costs
``nearest``        the cheapest changes that make a configuration valid
=================  ==========================================================
"""
