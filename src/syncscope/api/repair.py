"""``syncscope.nearest`` and ``syncscope.explain``: how to repair a configuration, and why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from syncscope.model import ConfigurationError, Model, resolve_variable
from syncscope.solver.explain.diagnoses import Explanation
from syncscope.solver.explain.diagnoses import explain as _explain
from syncscope.solver.repair.nearest import Candidate, NearestResult
from syncscope.solver.repair.nearest import nearest as _nearest
from syncscope.solver.repair.weights import resolve_weights

from ._inputs import prepare

__all__ = ["Candidate", "Explanation", "NearestResult", "explain", "nearest"]


def nearest(
    config: Mapping[str, object],
    *,
    keep: str | Iterable[str] = (),
    weights: str | Mapping[str, object] | None = None,
    top: int = 5,
    model: Model | None = None,
    edition: str | None = None,
) -> NearestResult:
    """The cheapest valid configurations near ``config``, exactly.

    Parameters
    ----------
    config : mapping
        Variable -> value in any accepted spelling; missing variables are free
        and cost nothing to fill.
    keep : str or iterable of str
        Variables held at their given values (each must be given); a single
        string names one variable.
    weights : str, mapping or None
        ``None`` for the rule set's change costs (``model/data/costs.toml``),
        ``"uniform"`` for 1 each, a ``.toml``/``.json`` file, or a mapping
        overriding them: ``{variable: number}`` for every change of a variable, or
        ``{variable: {"FROM -> TO": number, "default": number}}`` per change.
    top : int
        The most distinct fixes to return, a positive whole number: the cheapest,
        past the minimum cost when fewer reach it (``more`` says whether further
        fixes at the minimum cost exist). Fixes differ in the changes they make to
        the settings given; completions of the settings left open are not separate
        fixes.
    model : Model, optional
        A rule set from :func:`syncscope.load_model`; the built-in seed by default.
    edition : str, optional
        An edition id (:mod:`syncscope.model.editions`); not together with ``model``.

    Returns
    -------
    NearestResult
        The minimum cost and the cheapest distinct fixes, each with its own
        ``cost``: cheapest first, then supported before discouraged, then fewer
        organisation-wide and profile changes, then fewer changes; a fix to a
        policy carries ``advice`` in words. ``cost`` is None
        with the ``conflict`` when the kept settings rule out everything.

    Raises
    ------
    ConfigurationError
        For an unknown variable or value, a bad weight, a kept variable not
        given, or a ``top`` that is not a positive whole number.

    Examples
    --------
    >>> result = nearest({"deployment": "online", "email_system": "Exchange Online",
    ...                   "authentication": "impersonation"})
    >>> result.cost, [str(c) for c in result.candidates[0].changes]
    (3.0, ['authentication: impersonation -> server-to-server'])
    >>> fips = nearest({"deployment": "on-premises", "email_system": "MSN", "fips_mode": True})
    >>> [str(c) for k in fips.cheapest for c in k.changes]  # a posture is not switched off
    ['email_system: msn -> gmail', 'email_system: msn -> yahoo-mail']
    >>> [k.cost for k in fips.candidates]  # then dearer fixes, up to top=5
    [20.0, 20.0, 60.0, 60.0, 60.0]
    >>> [str(c) for c in nearest({"deployment": "online", "email_system": "gmail",
    ...                           "authentication": "impersonation"},
    ...                          keep="authentication", top=1).candidates[0].changes]
    ['email_system: gmail -> exchange-2013-sp1']
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ConfigurationError(f"top must be a positive whole number, got {top!r}", value=top)
    space, canonical = prepare(config, model, edition)
    names = (keep,) if isinstance(keep, str) else keep
    kept = [resolve_variable(space.model, name).name for name in names]
    resolved = resolve_weights(space.model, weights) if weights is not None else None
    return _nearest(space, canonical, keep=kept, weights=resolved, top=top)


def explain(
    config: Mapping[str, object],
    *,
    model: Model | None = None,
    edition: str | None = None,
    verbose: bool = False,
) -> Explanation:
    """Why a configuration gets its verdict: its causes, fixes, minimal conflicts and diagnoses.

    Parameters
    ----------
    config : mapping
        Variable -> value in any accepted spelling; may be partial.
    verbose : bool
        Whether the text also says, per cause, which other values would not
        help, and lists the minimal diagnoses.
    model : Model, optional
        A rule set from :func:`syncscope.load_model`; the built-in seed by default.
    edition : str, optional
        An edition id (:mod:`syncscope.model.editions`); not together with ``model``.

    Returns
    -------
    Explanation
        The causes (the same ``check``, ``domains`` and ``list`` name), the
        distinct fixes as ``nearest`` ranks them (equally cheap ones included,
        up to five; ``fixes_more`` says when others exist), every minimal
        conflict (up to a bound) with its rules, every minimal diagnosis, and
        a short text. A
        discouraged configuration gets its recommendations and what would
        remove them; a supported one only its text (for a partial one: what
        the unknowns decide).

    Raises
    ------
    ConfigurationError
        For an unknown variable or value, with did-you-mean suggestions.

    Examples
    --------
    >>> result = explain({"deployment": "online", "email_system": "Exchange Online",
    ...                   "authentication": "impersonation"})
    >>> [sorted(c.settings) for c in result.conflicts]
    [['authentication', 'deployment', 'email_system']]
    >>> result.diagnoses
    (('deployment',), ('email_system',), ('authentication',))
    >>> [str(c) for c in result.fixes[0].changes]
    ['authentication: impersonation -> server-to-server']
    """
    space, canonical = prepare(config, model, edition)
    return _explain(space, canonical, verbose=verbose)
