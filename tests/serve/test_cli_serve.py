"""``syncscope serve`` from the command line: lazy imports, the missing extra, the bind warning."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from click.testing import CliRunner

from syncscope.cli import cli
from syncscope.cli.serve import is_loopback


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_check_does_not_import_the_web_stack() -> None:
    code = (
        "import sys\n"
        "from syncscope.cli import main\n"
        "try:\n"
        "    main(['check', '--set', 'deployment=online'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('starlette', 'uvicorn', 'syncscope.serve')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_missing_extra_is_a_clear_exit_2() -> None:
    code = (
        "import sys\n"
        "sys.modules['uvicorn'] = None\n"
        "from syncscope.cli import main\n"
        "main(['serve'])\n"
    )
    result = _python(code)
    assert result.returncode == 2
    assert "pip install 'syncscope[serve]'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("192.0.2.7", False),
        ("example.org", False),
    ],
)
def test_loopback_hosts(host: str, local: bool) -> None:
    assert is_loopback(host) is local


@pytest.mark.parametrize(("host", "warned"), [("127.0.0.1", False), ("192.0.2.7", True)])
def test_binding_another_address_warns(
    monkeypatch: pytest.MonkeyPatch, host: str, warned: bool
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    result = CliRunner().invoke(cli, ["serve", "--host", host, "--port", "9"])
    assert result.exit_code == 0, result.output
    assert calls == [{"host": host, "port": 9, "log_level": "warning", "access_log": False}]
    assert ("warning: binding" in result.stderr) is warned


def test_limits_must_be_positive() -> None:
    result = CliRunner().invoke(cli, ["serve", "--max-batch-rows", "0"])
    assert result.exit_code == 2
    assert "positive" in result.stderr
