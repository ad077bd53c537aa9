"""The last guard: a bug exits 3 with one line and the command to report; bad input exits 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import syncscope.cli.check
from syncscope.cli import EXIT_INTERNAL, main

BIN = Path(sys.executable).parent


def _boom(*args: object, **kwargs: object) -> object:
    raise RuntimeError("simulated defect")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), out, err


def test_an_unexpected_exception_exits_3_with_one_line_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(syncscope.cli.check, "check", _boom)
    monkeypatch.delenv("SYNCSCOPE_DEBUG", raising=False)
    code, out, err = _run(["check", "--set", "deployment=online"], capsys)
    assert code == EXIT_INTERNAL == 3
    assert "internal error: RuntimeError: simulated defect" in err
    assert "syncscope check --set deployment=online" in err
    assert "Traceback" not in err
    assert out == ""


def test_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(syncscope.cli.check, "check", _boom)
    code, _, err = _run(["--debug", "check", "--set", "deployment=online"], capsys)
    assert code == 3
    assert "Traceback (most recent call last)" in err
    assert "simulated defect" in err


def test_the_debug_variable_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(syncscope.cli.check, "check", _boom)
    monkeypatch.setenv("SYNCSCOPE_DEBUG", "1")
    code, _, err = _run(["check"], capsys)
    assert code == 3
    assert "Traceback (most recent call last)" in err


def test_bad_input_is_still_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["check", "--set", "email_system=gmial"], capsys)
    assert code == 2
    assert "did you mean 'gmail'" in err


def test_the_help_documents_exit_code_3() -> None:
    from syncscope.cli import cli

    result = CliRunner().invoke(cli, ["--help"])
    assert "3 an internal error" in " ".join(result.output.split())


def test_output_stays_utf8_for_a_lone_surrogate_in_a_real_process(tmp_path: Path) -> None:
    config = tmp_path / "odd.json"
    config.write_text('{"email_system": "gm\\ud800il", "\\udcff": 1}', encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "", "LC_ALL": "C"}
    result = subprocess.run(
        [str(BIN / "syncscope"), "check", "--config", str(config), "--json"],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    result.stderr.decode("utf-8")  # raises if a raw surrogate byte got out
    assert b"Traceback" not in result.stderr


def test_json_output_escapes_lone_surrogates(capsys: pytest.CaptureFixture[str]) -> None:
    from syncscope.cli.common import emit_json

    emit_json({"note": "a\ud800b"})
    out = capsys.readouterr().out
    out.encode("utf-8")
    assert json.loads(out) == {"note": "a\ud800b"}
