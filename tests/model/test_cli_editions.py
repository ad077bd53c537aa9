"""``syncscope editions`` lists exactly the registry, as text and as JSON."""

from __future__ import annotations

import json

from click.testing import CliRunner
from syncscope.model.editions import edition_ids

from syncscope.cli.editions import command


def test_json_lists_every_edition_with_its_cover() -> None:
    result = CliRunner().invoke(command, ["--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [e["id"] for e in data] == list(edition_ids())
    assert data[-1]["versions"] == ["9.1", "9.2"] and data[-1]["deployments"] == ["online"]
    assert [e["default"] for e in data].count(True) == 1


def test_text_has_one_line_per_edition() -> None:
    wide = CliRunner().invoke(command, [], env={"COLUMNS": "120"})
    assert wide.exit_code == 0
    assert [line.split()[0] for line in wide.output.splitlines()] == list(edition_ids())


def test_text_at_80_columns_has_one_entry_per_edition_with_its_source_below() -> None:
    result = CliRunner().invoke(command, [], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines)
    entries = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert entries == list(edition_ids())
    assert next(line.strip() for line in lines if line.startswith(" ")) == "seed"
