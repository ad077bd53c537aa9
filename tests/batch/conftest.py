"""Fixtures for the batch tests: the Gmail example split into organisation-wide and
per-mailbox settings, and a CLI runner."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from syncscope.model import Value, format_value, load_model, normalize_config

from syncscope.cli import cli

GOLDEN = Path(__file__).parent / "golden"

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "gmail-online.json"
"""A supported Gmail mailbox with Dynamics 365 (online), in user spellings."""

MAILBOX_VARIABLES = (
    "email_system",
    "incoming_protocol",
    "outgoing_protocol",
    "sync_appointments_contacts_tasks",
    "authentication",
    "autodiscover",
    "profile_type",
    "ports",
)
"""The variables a mailbox inventory holds; the others are organisation-wide."""

GMAIL_ONLINE: dict[str, object] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
CANONICAL = dict(normalize_config(load_model(), GMAIL_ONLINE))

ORG = {n: v for n, v in CANONICAL.items() if n not in MAILBOX_VARIABLES}
"""Organisation-wide settings a mailbox inventory doesn't hold (canonical)."""

MAILBOX = {n: v for n, v in CANONICAL.items() if n in MAILBOX_VARIABLES and n != "email_system"}
"""The per-mailbox settings of a supported Gmail mailbox, but for the email system."""


def assignments(values: Mapping[str, Value]) -> list[str]:
    """``VAR=VALUE`` for each of ``values`` (canonical values, booleans as yes/no)."""
    return [f"{name}={format_value(value)}" for name, value in values.items()]


def sets(values: Mapping[str, Value]) -> list[str]:
    """``--set`` arguments for ``values``."""
    return [arg for pair in assignments(values) for arg in ("--set", pair)]


@dataclass
class Outcome:
    """What one CLI run gave."""

    code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def csv_rows(self) -> list[dict[str, str]]:
        """The CSV output as dicts."""
        return list(csv.DictReader(io.StringIO(self.stdout, newline="")))

    def jsonl_rows(self) -> list[dict[str, object]]:
        """The JSON Lines output as dicts."""
        return [json.loads(line) for line in self.stdout.split("\n")[:-1]]


Run = Callable[..., Outcome]


@pytest.fixture()
def run_batch() -> Run:
    """Run ``syncscope batch ARGS`` in process, with ``stdin`` bytes if given."""

    def run(args: Sequence[str], stdin: bytes | None = None) -> Outcome:
        runner = CliRunner()
        # Wide, so that the summary's lines stay whole (tests/cli/test_cli_output.py wraps it).
        result = runner.invoke(cli, ["batch", *args], input=stdin, env={"COLUMNS": "1000"})
        exc = result.exception
        if isinstance(exc, SystemExit):
            exc = None
        # The raw bytes: ``result.stdout`` folds CR LF into LF.
        stdout = result.stdout_bytes.decode("utf-8")
        return Outcome(result.exit_code, stdout, result.stderr, exc)

    return run


@pytest.fixture()
def org_args() -> list[str]:
    """``--set`` arguments for the organisation-wide settings."""
    return sets(ORG)


@pytest.fixture()
def all_args() -> list[str]:
    """``--set`` arguments for every variable but ``email_system``."""
    return sets(ORG | MAILBOX)


@pytest.fixture()
def org() -> dict[str, Value]:
    """Canonical organisation-wide settings (a fresh copy)."""
    return dict(ORG)


@pytest.fixture()
def full() -> dict[str, Value]:
    """Canonical settings for every variable but ``email_system`` (a fresh copy)."""
    return ORG | MAILBOX


@pytest.fixture()
def gmail() -> dict[str, object]:
    """The per-mailbox settings of the Gmail example, in its user spellings."""
    return {n: v for n, v in GMAIL_ONLINE.items() if n in MAILBOX_VARIABLES}


@pytest.fixture()
def org_assignments() -> list[str]:
    """``VAR=VALUE`` for each organisation-wide setting."""
    return assignments(ORG)


@pytest.fixture()
def golden() -> Path:
    """The folder of golden files."""
    return GOLDEN


@pytest.fixture()
def as_sets() -> Callable[[dict[str, str]], list[str]]:
    """Turn ``{var: value}`` into ``--set`` arguments."""
    return sets
