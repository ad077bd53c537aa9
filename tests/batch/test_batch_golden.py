"""Golden files: each input format, its output in both formats, and the summary.

Set SYNCSCOPE_UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change
(then read the diff before committing it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CASES = [
    # (input, extra arguments, output stem, output format, exit code)
    ("inventory.csv", ["--fix"], "inventory.out.csv", "csv", 1),
    ("inventory.csv", ["--fix"], "inventory.out.jsonl", "jsonl", 1),
    ("inventory.jsonl", ["--fix"], "inventory-jsonl.out.jsonl", "jsonl", 1),
    ("inventory.jsonl", [], "inventory-jsonl.out.csv", "csv", 1),
    ("dataverse.json", ["--fix"], "dataverse.out.jsonl", "jsonl", 1),
    ("dataverse.json", ["--fix"], "dataverse.out.csv", "csv", 1),
    (
        "dataverse.json",
        ["--set", "email_system=exchange-2013-sp1", "--set", "ports=default"],
        "dataverse-filled.out.csv",
        "csv",
        1,
    ),
]


def _check(path: Path, actual: str) -> None:
    if os.environ.get("SYNCSCOPE_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8", newline="")
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{path.name} differs from the output"


@pytest.mark.parametrize(("source", "args", "stem", "fmt", "code"), CASES)
def test_golden(run_batch, org_args, golden: Path, source, args, stem, fmt, code) -> None:
    out = run_batch([str(golden / source), *org_args, *args, "--format", fmt])
    assert out.exception is None
    assert out.code == code
    _check(golden / stem, out.stdout)
    _check(golden / (stem + ".summary.txt"), out.stderr)


def test_golden_files_cover_every_format(golden: Path) -> None:
    sources = {source for source, *_ in CASES}
    assert {Path(s).suffix for s in sources} == {".csv", ".jsonl", ".json"}
    for _, _, stem, _, _ in CASES:
        assert (golden / stem).exists()
