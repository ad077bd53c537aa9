"""A second reading of the edition pages: each fix, checked both ways (what the page says is
encoded, and what it doesn't say is not)."""

from __future__ import annotations

import pytest
from syncscope.model import Model, load_model
from syncscope.model.editions import get_edition
from syncscope.model.traceability import Traceability, load_traceability
from syncscope.model.vocabulary import normalize_config
from syncscope.solver.diagram.space import compiled
from syncscope.solver.queries.counting import count

LATER = ["9.x-2018-07", "9.x-2019-06", "onprem-9.x-2020-05", "online-2020-10", "online-2022-01"]
ONLINE = ["online-2020-10", "online-2022-01"]
NO_IMAP = ["9.x-2018-07", "9.x-2019-06", "onprem-9.x-2020-05"]


def _trace(model: Model) -> Traceability:
    return load_traceability(get_edition(model.edition).traceability_path, model)


def _valid(edition: str, fixed: dict[str, object]) -> bool:
    model = load_model(edition=edition)
    return count(compiled(model), normalize_config(model, fixed)).valid > 0


# -- manual tracking: the note names POP/SMTP, and the same callout names IMAP/SMTP apart ------


@pytest.mark.parametrize("edition", ONLINE)
def test_manual_tracking_is_unsupported_with_pop3_but_not_with_imap(edition: str) -> None:
    base = {"email_system": "gmail", "outlook_manual_tracking": True}
    assert not _valid(edition, {**base, "incoming_protocol": "pop3"})
    assert _valid(edition, {**base, "incoming_protocol": "imap", "profile_type": "imap-smtp"})
    assert _valid(edition, {**base, "incoming_protocol": "imap", "outlook_manual_tracking": False})
    assert _valid(edition, {"email_system": "exchange-online", "outlook_manual_tracking": True})


@pytest.mark.parametrize("edition", ["pre-9.0", *NO_IMAP])
def test_manual_tracking_with_pop3_stays_unsupported_where_imap_is_not_listed(edition: str) -> None:
    base = {"email_system": "gmail", "outlook_manual_tracking": True}
    assert not _valid(edition, {**base, "incoming_protocol": "pop3"})
    assert _valid(edition, {**base, "outlook_manual_tracking": False, "incoming_protocol": "pop3"})


# -- a sentence about on-premises only, on an online page, is outside the cover -------------------

_OTHER_SYSTEMS = "those systems were not tested by Microsoft and are not supported."


@pytest.mark.parametrize("edition", LATER)
def test_the_other_systems_sentence_is_normative_only_where_the_cover_has_on_premises(
    edition: str,
) -> None:
    model = load_model(edition=edition)
    (entry,) = [e for e in _trace(model).entries if e.quote.endswith(_OTHER_SYSTEMS)]
    if "on-premises" in model.variable("deployment").domain:
        assert entry.rules == ("important.other-pop3-smtp",)
    else:
        assert entry.rules == () and "outside this edition's cover" in entry.reason
        counts = count(compiled(model), {"email_system": "other-pop3-smtp"})
        assert counts.untested == 0 and counts.valid == 0


# -- no message speaks of a value its page never names -------------------------------------------


@pytest.mark.parametrize("edition", [*NO_IMAP, *ONLINE])
def test_only_pages_that_name_imap_have_rule_messages_that_do(edition: str) -> None:
    model = load_model(edition=edition)
    page = model.documents[edition].text
    naming = [r.id for r in model.rules if "IMAP" in r.message]
    if "IMAP" in page:
        assert naming
    else:
        assert naming == []


# -- a traceability entry names each rule once ---------------------------------------------------


@pytest.mark.parametrize("edition", ["pre-9.0", *LATER])
def test_no_trace_entry_names_a_rule_twice(edition: str) -> None:
    model = load_model(edition=edition)
    trace = _trace(model)
    doubled = [e.quote for e in trace.entries if len(set(e.rules)) != len(e.rules)]
    assert doubled == []
    assert any(len(e.rules) > 1 for e in trace.entries)
