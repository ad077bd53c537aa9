"""A rule's source quotes one sentence, or each row of the table it encodes: every quote is
verbatim, a rule from the table quotes whole rows (each once on its page), and a row's
``when`` names the deployment the row is about."""

from __future__ import annotations

from pathlib import Path

import pytest
from syncscope.model import Model, ModelError, Rule, Source, fold_whitespace, load_model
from syncscope.model.editions import edition_ids, get_edition
from syncscope.model.traceability import load_traceability

DOC = "Intro.\nBig | red | No\nSmall | red | Yes\nBlue is fine.\n"

BASE = """\
[model]
name = "tiny"
title = "Tiny"

[[documents]]
id = "doc"
title = "Doc"
path = "doc.txt"

[variables.color]
label = "Color"
values = [{ id = "red", label = "Red" }, { id = "blue", label = "Blue" }]

[variables.big]
type = "bool"
label = "Big"

[[rules]]
id = "no-big-red"
level = "unsupported"
message = "Big red is not supported."
when = { color = "red" }
forbid = { big = true }
"""

TABLE = "Supported configurations (table)"


def _load(tmp_path: Path, source: str, extra: str = "") -> Model:
    (tmp_path / "doc.txt").write_text(DOC, encoding="utf-8")
    path = tmp_path / "rules.toml"
    path.write_text(BASE + f"source = {{ {source} }}\n" + extra, encoding="utf-8")
    return load_model(path)


def _problems(tmp_path: Path, source: str, extra: str = "") -> list[str]:
    with pytest.raises(ModelError) as info:
        _load(tmp_path, source, extra)
    return list(info.value.problems)


# -- the loader ----------------------------------------------------------------------------------


def test_one_quote_is_a_list_of_one(tmp_path: Path) -> None:
    source = (
        _load(tmp_path, 'document = "doc", section = "S", quote = "Big | red | No"')
        .rule("no-big-red")
        .source
    )
    assert source.quote == "Big | red | No"
    assert source.quotes == ("Big | red | No",)
    assert source.to_dict() == {
        "document": "doc",
        "section": "S",
        "quote": "Big | red | No",
        "quotes": ["Big | red | No"],
    }


def test_several_quotes_keep_their_order_and_conditions(tmp_path: Path) -> None:
    model = _load(
        tmp_path,
        'document = "doc", section = "S", quotes = [{ quote = "Small | red | Yes",'
        ' when = { big = false } }, "Big   |\\n red | No"]',
    )
    source = model.rule("no-big-red").source
    assert source.quotes == ("Small | red | Yes", "Big   |\n red | No")
    assert source.quote == "Small | red | Yes"
    assert source.to_dict()["quotes"] == ["Small | red | Yes", "Big   |\n red | No"]
    assert [dict(c) for c in source.quote_when] == [{"big": frozenset({False})}, {}]
    assert source.quotes_for({"big": False}) == source.quotes
    assert source.quotes_for({"big": True}) == ("Big   |\n red | No",)
    assert source.quotes_for({"color": "red"}) == source.quotes
    assert len({source, model.rule("no-big-red").source}) == 1  # still hashable


def test_an_empty_list_of_quotes_is_refused_naming_the_rule(tmp_path: Path) -> None:
    problems = _problems(tmp_path, 'document = "doc", section = "S", quotes = []')
    assert any("rule no-big-red" in p and "quotes must be a non-empty array" in p for p in problems)


def test_a_quote_not_in_the_document_is_refused_naming_rule_and_quote(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, 'document = "doc", section = "S", quotes = ["Big | red | No", "Big | blue | No"]'
    )
    assert any(
        "rule no-big-red" in p and "quote #2 not found" in p and "'Big | blue | No'" in p
        for p in problems
    ), problems


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('document = "doc", section = "S", quote = "Intro.", quotes = ["Intro."]', "both quote"),
        ('document = "doc", section = "S", quotes = "Intro."', "non-empty array"),
        ('document = "doc", section = "S", quotes = ["Intro.", "Intro."]', "'Intro.' twice"),
        ('document = "doc", section = "S", quotes = ["Intro.", ""]', "no quote #2"),
        ('document = "doc", section = "S", quotes = [{ text = "Intro." }]', "unknown key 'text'"),
        (
            'document = "doc", section = "S", quotes = [{ quote = "Intro.", when = { size = 1 } }]',
            "unknown variable 'size'",
        ),
        (
            'document = "doc", section = "S", quotes = [{ quote = "Intro.", when = {} }]',
            "when must be a non-empty table",
        ),
        (
            'document = "doc", section = "S", quotes = [{ quote = "Intro.",'
            ' when = { color = "green" } }]',
            "unknown value 'green'",
        ),
    ],
)
def test_malformed_quotes_are_refused_naming_the_rule(
    tmp_path: Path, source: str, expected: str
) -> None:
    problems = _problems(tmp_path, source)
    assert any("rule no-big-red" in p and expected in p for p in problems), problems


def test_an_advice_quote_takes_no_condition(tmp_path: Path) -> None:
    advice = (
        '\n[[advice]]\nid = "tip"\napplies_to = ["unsupported"]\nmessage = "A tip."\n'
        'sources = [{ document = "doc", section = "S",'
        ' quotes = [{ quote = "Blue is fine.", when = { big = true } }] }]\n'
    )
    problems = _problems(tmp_path, 'document = "doc", section = "S", quote = "Intro."', advice)
    assert any("advice tip" in p and "only a rule's quotes may" in p for p in problems), problems


def test_source_refuses_a_first_quote_that_is_not_quote() -> None:
    with pytest.raises(ValueError, match="first of quotes"):
        Source("doc", "S", "a", ("b", "a"))
    with pytest.raises(ValueError, match="quote conditions"):
        Source("doc", "S", "a", ("a", "b"), ({},))


# -- every edition -------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=edition_ids())
def edition_model(request: pytest.FixtureRequest) -> Model:
    return load_model(edition=request.param)


def _table_rules(model: Model) -> list[Rule]:
    return [r for r in model.rules if r.source.section == TABLE]


def test_every_quote_of_every_rule_is_verbatim(edition_model: Model) -> None:
    for rule in edition_model.rules:
        text = fold_whitespace(edition_model.documents[rule.source.document].text)
        assert rule.source.quotes and rule.source.quotes[0] == rule.source.quote, rule.id
        for quote in rule.source.quotes:
            assert fold_whitespace(quote) in text, (rule.id, quote)


def test_each_table_quote_occurs_once_on_its_page(edition_model: Model) -> None:
    rules = _table_rules(edition_model)
    assert {"table.email-system", "table.exchange-ews", "table.act-sync"} <= {r.id for r in rules}
    for rule in rules:
        text = fold_whitespace(edition_model.documents[rule.source.document].text)
        for quote in rule.source.quotes:
            assert text.count(fold_whitespace(quote)) == 1, (rule.id, quote)


def test_a_rule_from_the_table_quotes_whole_rows_and_each_row_it_encodes(
    edition_model: Model,
) -> None:
    """Each row rule quotes exactly the rows of its protocol: those its trace entries name."""
    trace = load_traceability(get_edition(edition_model.edition).traceability_path, edition_model)
    deployments = edition_model.variable("deployment").domain
    for rule in _table_rules(edition_model):
        if rule.id in ("table.email-system", "scope.oauth"):
            continue  # the sentence that introduces the table, not a row
        rows = [fold_whitespace(q) for q in rule.source.quotes]
        ews = rule.id == "table.exchange-ews"
        expected = [
            fold_whitespace(e.quote)
            for e in trace.entries
            if rule.id in e.rules
            and "table.email-system" in e.rules
            and ("Exchange Web Services" in e.quote) == ews
        ]
        assert rows == expected, rule.id
        assert len(rows) == len(deployments), rule.id
        for row in rows:
            assert row.endswith(("Exchange Web Services", "Exchange Web Services |")) == ews
            assert ("Yes Yes" in row.replace("| ", "")) == ews, row


def test_each_row_is_about_the_deployment_it_names(edition_model: Model) -> None:
    deployments = edition_model.variable("deployment").domain
    for rule in _table_rules(edition_model):
        source = rule.source
        if len(source.quotes) == 1:
            assert dict(source.quote_when[0]) == {}
            continue
        named = []
        for quote, when in zip(source.quotes, source.quote_when, strict=True):
            assert set(when) == {"deployment"}, rule.id
            (deployment,) = when["deployment"]
            assert ("on-premises" in quote) == (deployment == "on-premises"), quote
            assert source.quotes_for({"deployment": deployment}) == (quote,)
            named.append(deployment)
        assert sorted(named) == sorted(deployments), rule.id


def test_the_two_profiles_sentence_is_context_in_every_edition() -> None:
    sentence = "You can create two different email server profiles"
    for edition_id in edition_ids():
        model = load_model(edition=edition_id)
        trace = load_traceability(get_edition(edition_id).traceability_path, model)
        (entry,) = [e for e in trace.entries if e.quote.startswith(sentence)]
        assert entry.rules == () and entry.advice == () and entry.reason, edition_id
