"""Questions answered straight from the diagram.

=================  ==========================================================
module             question
=================  ==========================================================
``check``          the verdict of one configuration, and the rules it breaks
``counting``       how many configurations of each verdict
``domains``        what each open variable can still take, and why not the rest
``enumeration``    every configuration of chosen verdicts, in a fixed order
``matrix``         the compact support table of a set of configurations
``brute``          brute-force answers from the rules, to cross-check the others
=================  ==========================================================
"""
