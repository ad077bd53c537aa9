"""The installed package: namespaced imports only, a working entry point, data files shipped."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Mapping, Sequence
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


ROOT = Path(__file__).resolve().parents[1]


def _hook_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    """The environment of a build hook: the backend is found through the hook's own path."""
    env = {**_env(), **(extra or {})}
    env.pop("PYTHONSAFEPATH")
    return env


def _quiet_runner(
    cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
) -> None:
    """Run a build hook with its output captured; a failure or a warning line fails the test."""
    done = subprocess.run(
        cmd,
        cwd=cwd,
        env=_hook_env(extra_environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr


def test_the_editable_build_is_quiet_and_maps_the_three_folders(tmp_path: Path) -> None:
    from pip._vendor.pyproject_hooks import BuildBackendHookCaller

    hooks = BuildBackendHookCaller(
        str(ROOT),
        "syncscope_build",
        backend_path=["build_backend"],
        runner=_quiet_runner,
        python_executable=sys.executable,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        name = hooks.build_editable(str(tmp_path))
    assert [str(w.message) for w in caught] == []
    with zipfile.ZipFile(tmp_path / name) as wheel:
        (finder,) = [n for n in wheel.namelist() if n.endswith("_finder.py")]
        text = wheel.read(finder).decode()
    line = next(x for x in text.splitlines() if x.startswith("MAPPING"))
    mapping = ast.literal_eval(line.split("=", 1)[1].strip())
    assert mapping == {
        "syncscope": str(ROOT / "src" / "syncscope"),
        "syncscope.model": str(ROOT / "model"),
        "syncscope.solver": str(ROOT / "solver"),
    }


def test_the_notice_still_comes_where_a_folder_would_shadow_the_package(tmp_path: Path) -> None:
    from pip._vendor.pyproject_hooks import BuildBackendHookCaller

    project = tmp_path / "project"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("build_backend", "src", "model", "solver"):
        shutil.copytree(ROOT / name, project / name, ignore=skip)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, project / name)
    (project / "syncscope").mkdir()

    def runner(
        cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None:
        subprocess.run(
            cmd, cwd=cwd, env=_hook_env(extra_environ), capture_output=True, timeout=120, check=True
        )

    hooks = BuildBackendHookCaller(
        str(project),
        "syncscope_build",
        backend_path=["build_backend"],
        runner=runner,
        python_executable=sys.executable,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hooks.build_editable(str(tmp_path))
    assert any(str(w.message).startswith("Editable installation.") for w in caught)
