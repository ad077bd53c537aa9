"""Fixtures for the batch tests: organisation-wide settings and a CLI runner."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncscope.cli import cli

GOLDEN = Path(__file__).parent / "golden"

ORG = {
    "deployment": "online",
    "version": "8.2",
    "same_tenant": "yes",
    "fips_mode": "no",
    "mfa": "no",
    "customer_key": "no",
    "outlook_on_the_web": "no",
    "outlook_manual_tracking": "no",
    "mass_email_campaigns": "no",
    "custom_email_provider": "no",
    "mixed_outlook_act_sync": "no",
}
"""Organisation-wide settings a mailbox inventory doesn't hold."""

MAILBOX = {
    "incoming_protocol": "pop3",
    "outgoing_protocol": "smtp",
    "sync_appointments_contacts_tasks": "no",
    "authentication": "user-or-queue-credentials",
    "autodiscover": "no",
    "profile_type": "pop3-smtp",
    "ports": "default",
}
"""The per-mailbox settings of a supported Gmail mailbox, but for the email system."""


def sets(values: dict[str, str]) -> list[str]:
    """``--set`` arguments for ``values``."""
    out = []
    for name, value in values.items():
        out += ["--set", f"{name}={value}"]
    return out


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
        result = runner.invoke(cli, ["batch", *args], input=stdin)
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
def golden() -> Path:
    """The folder of golden files."""
    return GOLDEN


@pytest.fixture()
def as_sets() -> Callable[[dict[str, str]], list[str]]:
    """Turn ``{var: value}`` into ``--set`` arguments."""
    return sets
