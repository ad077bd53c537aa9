"""Why a configuration or a value is ruled out: conflicts, diagnoses and their words.

=================  ==========================================================
module             what it does
=================  ==========================================================
``propagate``      arc consistency under a subset of the rules, with provenance
``quickxplain``    minimal rule sets found by search where look-ups don't settle
``pairs``          two-rule conflicts, tabulated once per model
``blame``          look-ups of the rules behind a removed value
``conflicts``      ``Conflict``: settings no valid configuration contains
``diagnoses``      every minimal conflict and minimal diagnosis (``explain``)
``wording``        explanations in words ("Because A and B, C is impossible")
=================  ==========================================================
"""
