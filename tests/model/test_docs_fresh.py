"""The generated documents on disk are exactly what the rule set generates today."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from syncscope.model import Model, fold_whitespace
from syncscope.model.editions import edition_ids
from syncscope.model.traceability import load_traceability

from syncscope import docgen
from syncscope.cli import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def docs() -> dict[str, str]:
    return docgen.generate()


def test_generated_documents_on_disk_are_fresh(docs: dict[str, str]) -> None:
    pages = [f"{docgen.EDITIONS_DIR}/{e}.md" for e in edition_ids()]
    changed = "docs/editions/what-changed.md"
    assert sorted(docs) == sorted([docgen.MODEL_REFERENCE, docgen.TRACEABILITY, *pages, changed])
    stale = [
        rel
        for rel, text in docs.items()
        if not (ROOT / rel).is_file() or (ROOT / rel).read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run `make docs` to regenerate"


def test_generation_is_deterministic(docs: dict[str, str]) -> None:
    assert docgen.generate() == docs


def test_model_reference_holds_every_variable_value_rule_and_quote(
    docs: dict[str, str], model: Model
) -> None:
    from syncscope import change_costs

    text = docs[docgen.MODEL_REFERENCE]
    costs = {c.variable: c for c in change_costs(model)}  # the one cost model, as nearest sums it
    for var in model.variables:
        assert f"### `{var.name}`: {var.label}" in text
        cost = costs[var.name]
        assert f"Scope **{cost.scope}**; change cost **{cost.default:g}**" in text
        assert cost.reason in text
        for spec in var.values:
            assert spec.label in text
    for rule in model.rules:
        assert f"### `{rule.id}` ({rule.level.id})" in text
        assert rule.message in text
        assert f"> {fold_whitespace(rule.source.quote)}" in text
        assert rule.source.section in text
    for advice in model.advice:
        assert advice.message in text


def test_traceability_doc_lists_every_entry(docs: dict[str, str], model: Model) -> None:
    text = docs[docgen.TRACEABILITY]
    trace = load_traceability(model=model)
    for number, entry in enumerate(trace.entries, start=1):
        row = f"| {number} | {entry.section} | {fold_whitespace(entry.quote)} |"
        assert row in text
    for rule in model.rules:
        assert f"| `{rule.id}` | {rule.level.id} |" in text


def _docs(*args: str) -> Result:
    return CliRunner().invoke(cli, ["docs", *args])


def test_command_writes_then_checks_clean(tmp_path: Path) -> None:
    first = _docs("--root", str(tmp_path), "--check")
    assert first.exit_code == 1
    assert "stale: docs/model-reference.md" in first.output
    assert _docs("--root", str(tmp_path)).exit_code == 0
    assert _docs("--root", str(tmp_path), "--check").exit_code == 0
    for rel in (docgen.MODEL_REFERENCE, docgen.TRACEABILITY):
        assert (tmp_path / rel).read_text(encoding="utf-8") == (ROOT / rel).read_text(
            encoding="utf-8"
        )


def test_check_notices_a_hand_edit(tmp_path: Path) -> None:
    assert _docs("--root", str(tmp_path)).exit_code == 0
    target = tmp_path / docgen.TRACEABILITY
    target.write_text(target.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert _docs("--root", str(tmp_path), "--check").exit_code == 1


def test_interpretations_name_only_real_rules(model: Model) -> None:
    """The hand-written readings cite rule ids that exist (in the seed or some edition)."""
    from syncscope.model import load_model

    text = (ROOT / "docs" / "interpretations.md").read_text(encoding="utf-8")
    kinds = "table|important|exo|unsupported|note|facts|scope|crosstenant"
    cited = set(re.findall(rf"`((?:{kinds})\.[a-z0-9-]+)`", text))
    assert cited
    known = {r.id for e in edition_ids() for r in load_model(edition=e).rules}
    assert {r.id for r in model.rules} <= known
    assert cited <= known


def test_each_edition_page_holds_its_rules_quotes_and_trace(docs: dict[str, str]) -> None:
    from syncscope.model import load_model
    from syncscope.model.editions import get_edition

    for edition_id in edition_ids():
        text = docs[f"{docgen.EDITIONS_DIR}/{edition_id}.md"]
        model = load_model(edition=edition_id)
        trace = load_traceability(get_edition(edition_id).traceability_path, model)
        assert text.startswith(f"# Edition `{edition_id}`")
        for rule in model.rules:
            assert f"#### `{rule.id}` ({rule.level.id})" in text
            assert f"> {_escaped(rule.source.quote)}" in text
        for number, entry in enumerate(trace.entries, start=1):
            assert f"| {number} | {entry.section} | {_escaped(entry.quote)} |" in text


def _escaped(text: str) -> str:
    return fold_whitespace(text).replace("|", "\\|")
