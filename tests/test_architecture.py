"""docs/architecture.md and each package's module map name the package's modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")

MODULES = [
    "model/encodings.py",
    "model/precompiled.py",
    "solver/diagram/live.py",
    "solver/diagram/precompiled.py",
    "solver/plan/blocks.py",
    "solver/plan/cross.py",
    "solver/repair/ranking.py",
    "solver/repair/kbest.py",
    "src/syncscope/api/costs.py",
    "src/syncscope/batch/lane.py",
    "src/syncscope/cli/inventory.py",
    "src/syncscope/serve/fastpath.py",
]


def _row(path: Path) -> tuple[str, str]:
    """The package table's row for the module's package, and how the row names the module."""
    folder = path.parent.relative_to(ROOT).as_posix()
    if folder.startswith("src/syncscope/"):
        package, name = "syncscope", f"{path.parent.name}/{path.stem}"
    else:
        package, name = "syncscope." + folder.replace("/", "."), path.stem
    row = next((line for line in PAGE.splitlines() if line.startswith(f"| `{package}` |")), "")
    return row, name


@pytest.mark.parametrize("module", MODULES)
def test_the_architecture_page_names_the_module(module: str) -> None:
    path = ROOT / module
    assert path.is_file(), f"{module} is gone: drop it from this list and the page"
    row, name = _row(path)
    assert row, f"docs/architecture.md has no package row for {module}"
    assert re.search(rf"`{re.escape(name)}[`:.]", row), f"its package row does not name `{name}`"


MAPPED = [
    m
    for m in MODULES
    if not m.startswith(
        ("model/", "src/syncscope/batch/", "src/syncscope/cli/", "src/syncscope/api/")
    )
]
"""The modules of packages whose ``__init__`` docstring maps their modules."""


@pytest.mark.parametrize("module", MAPPED)
def test_the_package_module_map_names_the_module(module: str) -> None:
    path = ROOT / module
    init = path.parent / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    # A map is a table of ``module`` rows or a list of :mod: entries.
    listed = set(re.findall(r"^``(\w+)``\s", doc, re.M))
    listed |= set(re.findall(r":mod:`~?[\w.]*?\.?(\w+)`", doc))
    assert listed, f"{init.relative_to(ROOT)} has lost its module map"
    assert path.stem in listed, f"the module map of {init.relative_to(ROOT)} lacks {path.stem}"
