"""The progress bar shows only when stderr is a terminal; stdout holds only the rows."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

SYNCSCOPE = str(Path(sys.executable).parent / "syncscope")


def _inventory(path: Path, rows: int) -> None:
    lines = ["id,email_system"] + [f"m{i},Gmail" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_terminal_gets_a_progress_bar_and_stdout_stays_data(tmp_path: Path) -> None:
    source = tmp_path / "inventory.csv"
    _inventory(source, 10_000)
    master, slave = os.openpty()
    chunks: list[bytes] = []

    def drain() -> None:  # read the terminal while the command runs, so it never blocks
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end closed
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        proc = subprocess.Popen(
            [SYNCSCOPE, "batch", str(source), "--set", "deployment=online", "--require-complete"],
            stdout=subprocess.PIPE,
            stderr=slave,
        )
        os.close(slave)
        stdout, _ = proc.communicate(timeout=60)
        reader.join(timeout=10)
    finally:
        os.close(master)
    seen = b"".join(chunks)
    assert proc.returncode == 1  # every row lacks settings: errors
    assert b"checking" in seen and b"rows" in seen  # the bar
    assert b"%" in seen and b"eta" in seen and b"rows/s" in seen  # share, time left, rate
    assert b"10000 rows: 0 supported" in seen  # then the summary
    lines = stdout.decode().splitlines()
    assert lines[0] == "row,id,verdict,rules,messages" and len(lines) == 10_001


def test_a_pipe_gets_plain_stable_text(tmp_path: Path) -> None:
    source = tmp_path / "inventory.csv"
    _inventory(source, 10_000)
    done = subprocess.run(
        [SYNCSCOPE, "batch", str(source), "--set", "deployment=online", "--require-complete"],
        capture_output=True,
        timeout=60,
    )
    assert b"\x1b" not in done.stderr and b"checking" not in done.stderr
    assert done.stderr.startswith(b"10000 rows: 0 supported")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_the_fast_lane_shows_the_bar_too(tmp_path: Path) -> None:
    """CSV in, JSON Lines out (the chunked fast lane): the bar, then every row."""
    import json

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "gmail-online.json"
    config = json.loads(example.read_text(encoding="utf-8"))
    sets = [a for k, v in config.items() if k != "email_system" for a in ("--set", f"{k}={v}")]
    source = tmp_path / "inventory.csv"
    _inventory(source, 20_000)
    master, slave = os.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        proc = subprocess.Popen(
            [SYNCSCOPE, "batch", str(source), "--format", "jsonl", *sets],
            stdout=subprocess.PIPE,
            stderr=slave,
        )
        os.close(slave)
        stdout, _ = proc.communicate(timeout=60)
        reader.join(timeout=10)
    finally:
        os.close(master)
    seen = b"".join(chunks)
    assert b"checking" in seen and b"rows/s" in seen and b"eta" in seen
    assert b"20000 rows: 20000 supported" in seen, seen[-400:]
    rows = [json.loads(line) for line in stdout.decode().splitlines()]
    assert [r["row"] for r in rows] == list(range(1, 20_001))
    assert {r["verdict"] for r in rows} == {"supported"} and proc.returncode == 0
