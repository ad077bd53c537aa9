"""The traceability table leaves no sentence of the seed unmapped and points only at real rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from syncscope.model import Model, ModelError, fold_whitespace
from syncscope.model.traceability import (
    Traceability,
    TraceEntry,
    builtin_traceability_path,
    fragments,
    load_traceability,
    uncovered,
)


@pytest.fixture(scope="module")
def trace() -> Traceability:
    return load_traceability()


@pytest.fixture(scope="module")
def seed_text(model: Model) -> str:
    return model.documents["seed"].text


# -- an independent cut of the page into pieces ---------------------------------------------------

_BULLET = re.compile(r"^(?:•|\d+\.)\s+")


def _pieces(text: str) -> list[str]:
    """Lines without bullets or list numbers, then sentences (". " before a capital or digit)."""
    out = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        line = _BULLET.sub("", line)
        if not line:
            continue
        start = 0
        for match in re.finditer(r"[.?] (?=[A-Z0-9©])", line):
            out.append(line[start : match.start() + 1])
            start = match.end()
        out.append(line[start:])
    return out


def _spans(entries: tuple[TraceEntry, ...], folded: str) -> list[tuple[int, int, int]]:
    """(start, end, entry number) of every occurrence of every quote."""
    spans = []
    for number, entry in enumerate(entries):
        quote = fold_whitespace(entry.quote)
        for match in re.finditer(re.escape(quote), folded):
            spans.append((match.start(), match.end(), number))
    return spans


def _placed(text: str) -> list[tuple[str, int, int]]:
    """Each piece with where it stands in the folded page, found left to right."""
    folded = fold_whitespace(text)
    out = []
    cursor = 0
    for piece in _pieces(text):
        start = folded.index(piece, cursor)
        cursor = start + len(piece)
        out.append((piece, start, cursor))
    return out


def test_the_cut_is_fine_grained(seed_text: str) -> None:
    pieces = _pieces(seed_text)
    # Table cells, bullets and headings come out alone; long paragraphs split into sentences.
    for expected in ("Yes", "No", "POP3/SMTP", "Gmail", "MSN1", "Important", "Using Impersonation"):
        assert expected in pieces
    assert (
        "This following table lists what is supported by server-side synchronization for "
        "each type of installation." in pieces
    )
    assert all(p == p.strip() and p for p in pieces)
    assert len(pieces) > 70


def test_every_piece_of_the_page_is_covered_where_it_stands(
    trace: Traceability, seed_text: str
) -> None:
    spans = _spans(trace.entries, fold_whitespace(seed_text))
    missing = [
        piece
        for piece, start, end in _placed(seed_text)
        if not any(a <= start and end <= b for a, b, _ in spans)
    ]
    assert missing == []


def test_every_entry_is_needed(trace: Traceability, seed_text: str) -> None:
    """Each entry covers some piece that no other entry covers."""
    spans = _spans(trace.entries, fold_whitespace(seed_text))
    needed = set()
    for _piece, start, end in _placed(seed_text):
        owners = {n for a, b, n in spans if a <= start and end <= b}
        if len(owners) == 1:
            needed |= owners
    assert needed == set(range(len(trace.entries)))


def test_entries_follow_the_page_order(trace: Traceability, seed_text: str) -> None:
    folded = fold_whitespace(seed_text)
    cursor = 0
    for entry in trace.entries:
        start = folded.find(fold_whitespace(entry.quote), cursor)
        assert start >= 0, entry.quote
        cursor = start


def test_module_fragments_agree_with_the_independent_cut(
    trace: Traceability, seed_text: str
) -> None:
    assert list(fragments(seed_text)) == _pieces(seed_text)
    assert uncovered(trace, seed_text) == ()


def test_uncovered_sees_a_missing_sentence(trace: Traceability, seed_text: str) -> None:
    dropped = next(e for e in trace.entries if e.quote.startswith("Outlook on the web"))
    smaller = Traceability(
        trace.document, trace.file, tuple(e for e in trace.entries if e is not dropped)
    )
    assert uncovered(smaller, seed_text) == (dropped.quote,)


def test_every_quote_is_verbatim_in_the_seed(trace: Traceability, seed_text: str) -> None:
    folded = fold_whitespace(seed_text)
    for entry in trace.entries:
        assert fold_whitespace(entry.quote) in folded, entry.quote


def test_every_rule_and_advice_id_exists(trace: Traceability, model: Model) -> None:
    rule_ids = {r.id for r in model.rules}
    advice_ids = {a.id for a in model.advice}
    for entry in trace.entries:
        assert set(entry.rules) <= rule_ids, entry.quote
        assert set(entry.advice) <= advice_ids, entry.quote


def test_every_seed_rule_is_mapped(trace: Traceability, model: Model) -> None:
    seed_rules = {r.id for r in model.rules if r.source.document == "seed"}
    assert seed_rules
    assert seed_rules <= trace.mapped_rules()


def test_every_advice_is_mapped(trace: Traceability, model: Model) -> None:
    mapped = {a for e in trace.entries for a in e.advice}
    assert mapped == {a.id for a in model.advice}


def test_each_seed_rule_quote_lies_in_or_around_a_sentence_that_maps_it(
    trace: Traceability, model: Model
) -> None:
    for rule in model.rules:
        if rule.source.document != "seed":
            continue
        sentences = [fold_whitespace(e.quote) for e in trace.entries_for(rule.id)]
        for quote in map(fold_whitespace, rule.source.quotes):
            assert any(quote in s or s in quote for s in sentences), (rule.id, quote)


def test_each_entry_is_either_mapped_or_explained(trace: Traceability) -> None:
    for entry in trace.entries:
        mapped = bool(entry.rules or entry.advice)
        assert mapped != bool(entry.reason.strip()), entry.quote
        assert entry.section.strip()


# Sentences that use the words of support but state none; anything else that does is normative.
POINTERS = {
    "Supported email service configurations for server-side synchronization",
    "For the latest documentation, see Supported email service configurations for "
    "server-side synchronization.",
    "Later in this topic, you can read about the scenarios that aren’t supported by "
    "server-side synchronization.",
    "Unsupported email service configurations",
}


def test_sentences_that_speak_of_support_are_mapped(trace: Traceability) -> None:
    wording = re.compile(r"support|recommend|not tested", re.IGNORECASE)
    for entry in trace.entries:
        if not (entry.rules or entry.advice) and wording.search(entry.quote):
            assert entry.quote in POINTERS


def test_table_rows_map_to_the_table_rules(trace: Traceability) -> None:
    rows = [e for e in trace.entries if e.section == "Table" and e.rules]
    assert len(rows) == 4
    for row in rows:
        protocol = (
            "table.exchange-ews" if "Exchange Web Services" in row.quote else "table.pop3-smtp"
        )
        assert set(row.rules) == {"table.email-system", protocol, "table.act-sync"}


# -- loader errors ------------------------------------------------------------------------------

GOOD = builtin_traceability_path().read_text(encoding="utf-8")


def _edit(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


ERRORS = [
    (
        "quote-not-found",
        _edit('quote = "Using Impersonation"', 'quote = "Using Imitation"'),
        ("'Using Imitation'", "quote not found"),
    ),
    (
        "unknown-rule",
        _edit('rules = ["exo.ports"]', 'rules = ["exo.port"]'),
        ("'Using non-default network ports'", "unknown rule id 'exo.port'"),
    ),
    (
        "unknown-advice",
        _edit('advice = ["fips-other-server"]', 'advice = ["mail-router"]'),
        ("unknown advice id 'mail-router'",),
    ),
    (
        "no-mapping-no-reason",
        _edit('reason = "The page title."', 'reason = ""'),
        ("maps to no rule or advice and gives no reason",),
    ),
    (
        "mapping-and-reason",
        _edit('rules = ["exo.ports"]', 'rules = ["exo.ports"]\nreason = "why"'),
        ("takes no 'not normative' reason",),
    ),
    (
        "unmapped-seed-rule",
        _edit('rules = ["unsupported.mass-email"]', 'reason = "no"').replace(
            '  "unsupported.mass-email",\n', ""
        ),
        ("rule unsupported.mass-email", "no sentence maps to it"),
    ),
    (
        "duplicate-quote",
        GOOD + '\n[[entries]]\nsection = "Footer"\nquote = "Important"\nreason = "again"\n',
        ("duplicate quote 'Important'",),
    ),
    (
        "unknown-key",
        _edit('rules = ["exo.ports"]', 'rule = ["exo.ports"]'),
        ("unknown key 'rule'",),
    ),
    ("malformed-toml", GOOD + "\n[[entries]\n", ("not valid TOML",)),
    ("unknown-document", _edit('document = "seed"', 'document = "paper"'), ("'paper'",)),
]


@pytest.mark.parametrize(("text", "expected"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_loader_errors_name_file_and_entry(
    tmp_path: Path, model: Model, text: str, expected: tuple[str, ...]
) -> None:
    path = tmp_path / "traceability.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load_traceability(path, model)
    assert info.value.file == str(path)
    assert any(all(part in p for part in expected) for p in info.value.problems), (
        info.value.problems
    )


def test_to_dict_round_trips_the_entries(trace: Traceability) -> None:
    data = trace.to_dict()
    assert data["document"] == "seed"
    entries = data["entries"]
    assert isinstance(entries, list)
    assert [e["quote"] for e in entries] == [e.quote for e in trace.entries]
