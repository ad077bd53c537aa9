"""The first run and the project files: make run, docs outside the project, examples, metadata."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncscope.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.py"))


# -- syncscope docs ------------------------------------------------------------------------------


def test_docs_refuses_to_run_outside_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["docs"])
    assert result.exit_code == 2
    assert "not inside the syncscope project" in result.stderr
    assert str(tmp_path.resolve()) in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_docs_refuses_another_projects_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["docs"])
    assert result.exit_code == 2
    assert not (tmp_path / "docs").exists()


def test_docs_finds_the_project_from_a_subfolder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "docs" / "examples")
    result = CliRunner().invoke(cli, ["docs", "--check"])
    assert result.exit_code in (0, 1)
    assert "not inside" not in result.stderr
    assert not (ROOT / "docs" / "examples" / "docs").exists()


def test_docs_check_runs_in_the_project() -> None:
    result = CliRunner().invoke(cli, ["docs", "--root", str(ROOT), "--check"])
    assert result.exit_code in (0, 1)
    assert "not the syncscope project" not in result.stderr


# -- make run ------------------------------------------------------------------------------------


def _run_recipe() -> list[str]:
    """The shell lines of the Makefile's run target, continuation lines joined."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    block = text.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in block.splitlines()[1:] if line.startswith("\t")]


def test_make_run_ignores_no_error() -> None:
    lines = _run_recipe()
    assert lines
    assert not any(line.startswith(("-", "@-")) for line in lines)


def test_make_run_shows_the_unsupported_sample_on_purpose_and_exits_0() -> None:
    check = next(line for line in _run_recipe() if "syncscope check" in line)
    script = check.lstrip("@").replace("$(BIN)", str(Path(sys.executable).parent))
    script = script.replace("$$", "$")
    done = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "UNSUPPORTED" in done.stdout
    assert "as intended" in done.stdout
    announce = [line for line in _run_recipe() if "on purpose" in line]
    assert announce


# -- examples ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_say_to_run_with_the_venvs_interpreter(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    rel = path.relative_to(ROOT).as_posix()
    assert f".venv/bin/python {rel}" in " ".join(text.split())
    assert not re.search(rf"(?<![/\w])python {re.escape(rel)}", text)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_run_with_the_venvs_interpreter(path: Path) -> None:
    # The venv's interpreter is the one running the tests: it has syncscope installed.
    done = subprocess.run(
        [sys.executable, str(path.relative_to(ROOT)), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout.lower()


# -- project files -------------------------------------------------------------------------------


def test_licence_is_mit() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text


def test_changelog_keeps_a_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Keep a Changelog" in text
    assert "## [Unreleased]" in text
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", text, re.M)
    sections = set(re.findall(r"^### (\w+)$", text, re.M))
    assert sections <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_pyproject_has_urls_classifiers_and_a_docs_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]
    assert all(url.startswith("https://") for url in project["urls"].values())
    assert "Programming Language :: Python :: 3.11" in project["classifiers"]
    extras = " ".join(project["optional-dependencies"]["docs"])
    for name in ("mkdocs", "mkdocs-material", "mkdocstrings[python]"):
        assert name in extras


def test_docs_site_lists_every_page() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = set(re.findall(r"([\w./-]+\.md)\s*$", config, re.M))
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert pages - nav == set(), "pages missing from the mkdocs nav"
    assert nav - pages == set(), "nav entries without a page"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^docs-site:.*\n\t.*mkdocs build --strict", makefile, re.M)


def test_readme_links_the_docs_site_and_keeps_its_two_commands_first() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.*?)```", text, re.S)
    assert first is not None
    commands = [line.split("#")[0].strip() for line in first.group(1).splitlines()]
    assert commands[:2] == ["make run", "make test"]
    assert "make docs-site" in text
    assert "build/site" in text
