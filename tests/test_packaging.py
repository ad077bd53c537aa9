"""The installed package: namespaced imports only, a working entry point, data files shipped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONSTARTUP"}}
    env["PYTHONSAFEPATH"] = "1"
    return env


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("name", ["model", "solver"])
def test_bare_names_are_not_importable(tmp_path: Path, name: str) -> None:
    result = _python(f"import {name}", tmp_path)
    assert result.returncode != 0
    assert "ModuleNotFoundError" in result.stderr
    assert f"'{name}'" in result.stderr


@pytest.mark.parametrize(
    "name",
    ["syncscope", "syncscope.model", "syncscope.solver", "syncscope.cli", "syncscope.docgen"],
)
def test_namespaced_names_are_importable(tmp_path: Path, name: str) -> None:
    result = _python(f"import {name}", tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_installed_model_loads_with_its_sources(tmp_path: Path) -> None:
    code = (
        "from syncscope.model import load_model\n"
        "from syncscope.model.traceability import load_traceability\n"
        "m = load_model()\n"
        "t = load_traceability(model=m)\n"
        "print(len(m.variables), m.size, len(t.entries) > 0)\n"
    )
    result = _python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["19", "44236800", "True"]


def test_entry_point_help_lists_the_commands(tmp_path: Path) -> None:
    from syncscope.cli import COMMANDS

    result = subprocess.run(
        [str(BIN / "syncscope"), "--help"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in ("check", "rules", *COMMANDS):
        assert f"  {name} " in result.stdout


def test_entry_point_checks_from_any_folder(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(BIN / "syncscope"), "check", "--json", "--set", "email_system=Gmail"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"verdict": "supported"' in result.stdout


def test_docs_check_passes_at_the_root() -> None:
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [str(Path(sys.executable).parent / "syncscope"), "docs", "--check"],
        cwd=root,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
