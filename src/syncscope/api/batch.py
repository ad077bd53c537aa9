"""``syncscope.check_batch``: a whole mailbox inventory, row by row."""

from __future__ import annotations

from collections.abc import Mapping

from syncscope.batch.job import BatchRun
from syncscope.batch.readers import read_records
from syncscope.batch.runner import BatchRow
from syncscope.batch.source import Source
from syncscope.batch.summary import BatchSummary
from syncscope.model import Model, normalize_config
from syncscope.solver.diagram.space import compiled

from ._inputs import resolve_model

__all__ = ["BatchRow", "BatchRun", "BatchSummary", "check_batch"]


def check_batch(
    source: Source,
    *,
    input_format: str | None = None,
    defaults: Mapping[str, object] | None = None,
    fix: bool = False,
    model: Model | None = None,
    edition: str | None = None,
    delimiter: str | None = None,
    require_complete: bool = False,
) -> BatchRun:
    """Check every row of a CSV, JSON Lines or Dataverse inventory, streaming.

    Parameters
    ----------
    source : str, path-like or binary stream
        The inventory; ``"-"`` reads stdin.
    input_format : {"csv", "jsonl", "dataverse"}, optional
        Detected from the extension or the content when None.
    defaults : mapping, optional
        Organisation-wide values (any accepted spelling), like ``--set``; a row's
        own value wins.
    fix : bool
        Add the nearest valid changes to each invalid row.
    model : Model, optional
        A rule set from :func:`syncscope.load_model`; the built-in seed by default.
    edition : str, optional
        An edition id (:mod:`syncscope.model.editions`); not together with ``model``.
    delimiter : str, optional
        The CSV delimiter (``,``, ``;`` or a tab); sniffed from the header when None.
    require_complete : bool
        Make a CSV or JSON Lines row that leaves a variable unknown an ``error`` row.
        By default such a row is checked as ``syncscope.check`` checks a partial
        configuration: the best verdict a completion reaches, with the values every
        valid completion has.

    Returns
    -------
    BatchRun
        An iterator of frozen :class:`BatchRow` (``to_dict()``), exactly one per
        input row, in input order; ``summary()`` gives the totals.

    Raises
    ------
    ConfigurationError
        For an unknown variable or value in ``defaults``.
    UnreadableInput
        When the input can't be read at all. Bad rows never raise: they are
        ``error`` rows.

    Examples
    --------
    >>> import io
    >>> org = {"deployment": "online", "version": "8.2", "same_tenant": True, "fips_mode": False,
    ...        "mfa": False, "customer_key": False, "outlook_on_the_web": False,
    ...        "outlook_manual_tracking": False, "mass_email_campaigns": False,
    ...        "custom_email_provider": False, "mixed_outlook_act_sync": False,
    ...        "sync_appointments_contacts_tasks": False, "autodiscover": False,
    ...        "ports": "default", "authentication": "user-or-queue-credentials",
    ...        "profile_type": "pop3-smtp", "incoming_protocol": "pop3",
    ...        "outgoing_protocol": "smtp"}
    >>> data = io.BytesIO(b"id,email_system\\nm1,Gmail\\nm2,Yahoo! Mail\\nm3,MSN\\n")
    >>> run = check_batch(data, defaults=org, fix=True)
    >>> [(r.extra["id"], r.verdict) for r in run]
    [('m1', 'supported'), ('m2', 'supported'), ('m3', 'unsupported')]
    >>> summary = run.summary()
    >>> summary.verdicts["unsupported"], summary.distinct_configurations, summary.exit_code
    (1, 3, 1)
    """
    space = compiled(resolve_model(model, edition))
    canonical = normalize_config(space.model, defaults or {})
    records = read_records(
        source,
        space.model,
        input_format=input_format,
        defaults=canonical,
        delimiter=delimiter,
        require_complete=require_complete,
    )
    return BatchRun(records, space, fix=fix)
