"""Loading rule sets: the seed loads and quotes its sources verbatim; every malformed file fails
with a ModelError that names the file and the rule or variable at fault."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from syncscope.model import Level, Model, ModelError, fold_whitespace, load_model

DOC = "Intro.\nBig red\n   things are not supported.\nBlue is fine, and small things too.\n"

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
values = [{ id = "red", label = "Red" }, { id = "blue", label = "Blue", aliases = ["navy"] }]

[variables.big]
type = "bool"
label = "Big"

[[rules]]
id = "no-big-red"
level = "unsupported"
message = "Big red is not supported."
when = { color = "red" }
forbid = { big = true }
source = { document = "doc", section = "S", quote = "Big red things are not supported." }
"""

SOURCE_LINE = next(line for line in BASE.splitlines() if line.startswith("source = "))

EXTRA_RULE = """
[[rules]]
id = "{id}"
level = "unsupported"
message = "Another rule."
forbid = {{ {forbid} }}
source = {{ document = "doc", section = "S", quote = "Blue is fine" }}
"""


def write(tmp_path: Path, text: str, doc: str = DOC) -> Path:
    (tmp_path / "doc.txt").write_text(doc, encoding="utf-8")
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_base_file_loads(tmp_path: Path) -> None:
    model = load_model(write(tmp_path, BASE))
    assert model.names == ("color", "big")
    assert model.variable("big").domain == (True, False)
    assert model.size == 4
    rule = model.rule("no-big-red")
    assert rule.level is Level.UNSUPPORTED
    assert rule.broken({"color": "red", "big": True})
    assert not rule.broken({"color": "blue", "big": True})
    assert not rule.broken({"color": "red", "big": False})


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new)

    return edit


def _append(extra: str) -> Callable[[str], str]:
    return lambda text: text + extra


# (case id, edit of BASE, substrings that one problem line must all contain)
CASES: list[tuple[str, Callable[[str], str], tuple[str, ...]]] = [
    (
        "unknown-variable",
        _replace('when = { color = "red" }', 'when = { colour = "red" }'),
        ("rule no-big-red", "unknown variable 'colour'"),
    ),
    (
        "unknown-variable-in-tuples",
        _replace(
            "forbid = { big = true }",
            'allowed = { vars = ["color", "size"], tuples = [["red", "s"]] }',
        ),
        ("rule no-big-red", "unknown variable 'size'"),
    ),
    (
        "unknown-value",
        _replace('when = { color = "red" }', 'when = { color = "green" }'),
        ("rule no-big-red", "unknown value 'green'", "color"),
    ),
    (
        "text-for-a-bool",
        _replace("forbid = { big = true }", 'forbid = { big = "true" }'),
        ("rule no-big-red", "unknown value 'true'", "big"),
    ),
    (
        "unknown-value-in-tuples",
        _replace(
            "forbid = { big = true }",
            'forbidden = { vars = ["color", "big"], tuples = [["red", "yes"]] }',
        ),
        ("rule no-big-red", "unknown value 'yes'", "big"),
    ),
    (
        "duplicate-id",
        _append(EXTRA_RULE.format(id="no-big-red", forbid='color = "blue", big = false')),
        ("rule no-big-red", "duplicate id"),
    ),
    (
        "empty-domain",
        _replace(
            'values = [{ id = "red", label = "Red" }, { id = "blue", label = "Blue", '
            'aliases = ["navy"] }]',
            "values = []",
        ),
        ("variable color", "empty domain"),
    ),
    (
        "quote-not-found",
        _replace(
            'quote = "Big red things are not supported."',
            'quote = "Big red things are never supported."',
        ),
        ("rule no-big-red", "quote not found", "Big red things are never supported."),
    ),
    (
        "no-valid-configuration",
        _append(
            EXTRA_RULE.format(id="no-big", forbid="big = true")
            + EXTRA_RULE.format(id="no-small", forbid="big = false")
        ),
        ("admits no valid configuration", "rule no-big", "rule no-small"),
    ),
    ("malformed-toml", _append("[[rules]\nid = 1\n"), ("not valid TOML", "line")),
    (
        "missing-body",
        _replace("forbid = { big = true }\n", ""),
        ("rule no-big-red", "needs exactly one of", "found none"),
    ),
    (
        "two-bodies",
        _replace("forbid = { big = true }", 'forbid = { big = true }\nrequire = { color = "red" }'),
        ("rule no-big-red", "needs exactly one of"),
    ),
    (
        "unknown-level",
        _replace('level = "unsupported"', 'level = "fatal"'),
        ("rule no-big-red", "unknown level 'fatal'"),
    ),
    (
        "missing-level",
        _replace('level = "unsupported"\n', ""),
        ("rule no-big-red", "missing level"),
    ),
    (
        "missing-message",
        _replace('message = "Big red is not supported."\n', ""),
        ("rule no-big-red", "missing message"),
    ),
    (
        "misspelled-key",
        _replace('when = { color = "red" }', 'wehn = { color = "red" }'),
        ("rule no-big-red", "unknown key 'wehn'", "did you mean 'when'"),
    ),
    (
        "unknown-document",
        _replace('source = { document = "doc"', 'source = { document = "paper"'),
        ("rule no-big-red", "unknown document 'paper'"),
    ),
    (
        "missing-source",
        _replace(SOURCE_LINE, ""),
        ("rule no-big-red", "missing source {document, section, quote}"),
    ),
    (
        "missing-section",
        _replace('section = "S", ', ""),
        ("rule no-big-red", "no section"),
    ),
    (
        "ambiguous-spelling",
        _replace('aliases = ["navy"]', 'aliases = ["RED"]'),
        ("variable color", "'RED'", "'red'", "'blue'"),
    ),
    (
        "bool-with-values",
        _replace('type = "bool"\n', 'type = "bool"\nvalues = [{ id = "maybe" }]\n'),
        ("variable big", "takes no values"),
    ),
    (
        "bad-variable-name",
        _replace("[variables.big]", '[variables."Big Thing"]'),
        ("variable 'Big Thing'", "lower-case"),
    ),
    (
        "empty-when-alternative",
        _replace('when = { color = "red" }', "when = [{}]"),
        ("rule no-big-red", "empty alternative"),
    ),
    (
        "when-not-a-table",
        _replace('when = { color = "red" }', 'when = "color"'),
        ("rule no-big-red", "when must be a table"),
    ),
    (
        "unreadable-document",
        _replace('path = "doc.txt"', 'path = "missing.txt"'),
        ("document doc", "cannot read missing.txt"),
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_file_names_file_and_culprit(
    tmp_path: Path, edit: Callable[[str], str], expected: tuple[str, ...]
) -> None:
    path = write(tmp_path, edit(BASE))
    with pytest.raises(ModelError) as info:
        load_model(path)
    error = info.value
    assert error.file == str(path)
    assert str(path) in str(error)
    assert any(all(part in problem for part in expected) for problem in error.problems), (
        error.problems
    )


def test_a_shared_spelling_is_reported_once(tmp_path: Path) -> None:
    text = _replace('aliases = ["navy"]', 'aliases = ["red"]')(BASE)
    with pytest.raises(ModelError) as info:
        load_model(write(tmp_path, text))
    assert len([p for p in info.value.problems if "'red'" in p]) == 1, info.value.problems


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert info.value.file == str(path)
    assert "cannot read" in str(info.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = _replace('when = { color = "red" }', 'when = { colour = "red" }')(BASE)
    text = _replace('level = "unsupported"', 'level = "fatal"')(text)
    with pytest.raises(ModelError) as info:
        load_model(write(tmp_path, text))
    assert len(info.value.problems) == 2


def test_edited_file_is_reloaded(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    first = load_model(path)
    assert load_model(path) is first
    path.write_text(BASE.replace('title = "Tiny"', 'title = "Tinier"'), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_model(path).title == "Tinier"


# -- the seed -----------------------------------------------------------------------------------


def test_seed_shape(model: Model) -> None:
    assert len(model.variables) == 19
    # The shared vocabulary's later values (exchange-2010-sp3, exchange-2019, imap, imap-smtp,
    # oauth) are in the seed's domains too, all unsupported; 15,335,424 before they were added.
    assert model.size == 44_236_800
    assert set(model.documents) == {"seed", "facts"}
    assert len({r.id for r in model.rules}) == len(model.rules)


def _sources(model: Model) -> list[tuple[str, str, str]]:
    out = [(r.id, r.source.document, r.source.quote) for r in model.rules]
    for advice in model.advice:
        out += [(f"advice:{advice.id}", s.document, s.quote) for s in advice.sources]
    return out


@pytest.mark.parametrize(
    ("owner", "document", "quote"), _sources(load_model()), ids=lambda x: str(x)[:40]
)
def test_every_quote_is_verbatim_in_its_document(
    model: Model, owner: str, document: str, quote: str
) -> None:
    assert fold_whitespace(quote) in fold_whitespace(model.documents[document].text), owner


def test_seed_rules_quote_the_seed_and_facts_rules_cite_facts(model: Model) -> None:
    for rule in model.rules:
        expected = "facts" if rule.id.startswith("facts.") else "seed"
        assert rule.source.document == expected, rule.id
        assert rule.source.section, rule.id


def test_email_router_advice_carries_the_deprecation(model: Model) -> None:
    router = [a for a in model.advice if a.id.startswith("email-router")]
    assert len(router) == 3  # worded for on-premises, for 8.2 and for online
    for advice in router:
        assert advice.applies_to == {Level.UNSUPPORTED, Level.UNTESTED}
        assert {s.document for s in advice.sources} == {"seed", "facts"}
        for date in ("8.2", "17 July 2018", "12 April 2021"):
            assert date in advice.message


def test_conflict_deep_in_the_seed_is_found_fast_and_named(tmp_path: Path) -> None:
    """Two rules that only clash on the last variable: refuted without walking the product."""
    source = Path(load_model().file)
    (tmp_path / "sources").mkdir()
    for doc in (source.parent / "sources").iterdir():
        (tmp_path / "sources" / doc.name).write_text(doc.read_text(encoding="utf-8"))
    vocabulary = source.parent / "vocabulary.toml"
    (tmp_path / "vocabulary.toml").write_text(vocabulary.read_text(encoding="utf-8"))
    extra = """
[[rules]]
id = "extra.{name}"
level = "{level}"
message = "Extra."
forbid = {{ mixed_outlook_act_sync = {value} }}
source = {{ document = "seed", section = "Note", quote = "Note" }}
"""
    text = source.read_text(encoding="utf-8")
    text += extra.format(name="on", level="unsupported", value="true")
    text += extra.format(name="off", level="untested", value="false")
    path = tmp_path / "seed.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load_model(path)
    (problem,) = info.value.problems
    assert "admits no valid configuration" in problem
    assert problem.endswith("rule extra.on, rule extra.off")


def test_a_fifo_rule_set_is_refused_by_name_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    os.mkfifo(path)
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert info.value.file == str(path)
    assert info.value.problems == ("cannot read the rule set: not a regular file",)


def test_a_fifo_document_is_refused_by_name_without_blocking(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    (tmp_path / "doc.txt").unlink()
    os.mkfifo(tmp_path / "doc.txt")
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert "document doc: cannot read doc.txt: not a regular file" in info.value.problems


def test_a_device_rule_set_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        load_model(os.devnull)
    assert info.value.problems == ("cannot read the rule set: not a regular file",)


def test_a_document_with_windows_line_ends_reads_as_text(tmp_path: Path) -> None:
    model = load_model(write(tmp_path, BASE, doc=DOC.replace("\n", "\r\n")))
    assert model.documents["doc"].text == DOC
