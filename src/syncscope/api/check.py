"""``check``: one configuration's verdict, findings and fix; ``verdict``: the verdict alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from syncscope.model import Level, Model
from syncscope.solver.queries.check import CheckResult
from syncscope.solver.queries.check import check as _check
from syncscope.solver.queries.check import verdict as _verdict

from ._inputs import prepare, prepare_encoded

__all__ = ["CheckResult", "check", "verdict"]


def check(
    config: Mapping[str, object],
    *,
    model: Model | None = None,
    edition: str | None = None,
) -> CheckResult:
    """Check a configuration given in any accepted spelling.

    Parameters
    ----------
    config : mapping
        Variable -> value; names, ids, labels and aliases in any case. Missing
        variables are unknown (a partial configuration).
    model : Model, optional
        A rule set from :func:`syncscope.load_model`; the built-in seed by default.
    edition : str, optional
        An edition id (:mod:`syncscope.model.editions`); not together with ``model``.

    Returns
    -------
    CheckResult
        Frozen; ``to_dict()`` gives the JSON contract. For an invalid input,
        ``fix`` holds the changes of the nearest valid configuration under the
        rule set's default change weights (see :func:`syncscope.nearest`).

    Raises
    ------
    ConfigurationError
        For an unknown variable or value, with did-you-mean suggestions.

    Examples
    --------
    >>> result = check({"deployment": "online", "email_system": "Exchange Online",
    ...                 "authentication": "impersonation"})
    >>> result.verdict.id, [f.rule.id for f in result.findings]
    ('unsupported', ['exo.impersonation'])
    >>> [str(change) for change in result.fix]
    ['authentication: impersonation -> server-to-server']
    """
    space, canonical = prepare(config, model, edition)
    result = _check(space, canonical)
    if result.valid:
        return result
    # Only invalid input pays for the repair search (and its import).
    from syncscope.solver.repair.nearest import nearest

    repair = nearest(space, canonical, top=1)
    if not repair.candidates:
        return result
    return replace(result, fix=repair.candidates[0].changes)


def verdict(
    config: Mapping[str, object],
    *,
    model: Model | None = None,
    edition: str | None = None,
) -> Level:
    """The verdict alone, without findings, advice or a fix: for a script that only gates.

    Always ``check(config).verdict``, at a fraction of the cost: a full
    configuration's own verdict; for a partial one, the best verdict some
    completion reaches.

    Parameters
    ----------
    config : mapping
        Variable -> value in any accepted spelling; missing variables are unknown.
    model : Model, optional
        A rule set from :func:`syncscope.load_model`; the built-in seed by default.
    edition : str, optional
        An edition id (:mod:`syncscope.model.editions`); not together with ``model``.

    Returns
    -------
    Level
        ``.valid`` says whether the configuration (or some completion) is valid.

    Raises
    ------
    ConfigurationError
        For an unknown variable or value, with did-you-mean suggestions.

    Examples
    --------
    >>> verdict({"deployment": "online", "email_system": "Exchange Online",
    ...          "authentication": "impersonation"}).id
    'unsupported'
    >>> verdict({"email_system": "Gmail"}).valid
    True
    """
    space, encoded = prepare_encoded(config, model, edition)
    return _verdict(space, encoded)
