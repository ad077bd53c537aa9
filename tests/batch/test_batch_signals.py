"""Interrupting ``syncscope batch --out`` mid-stream leaves no file under the final name,
and a run killed outright leaves a temporary file the next run removes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SYNCSCOPE = str(Path(sys.executable).parent / "syncscope")
ROW = b"m,Gmail,pop3,smtp,no,user or queue,no,pop3-smtp,default\n"
HEADER = (
    b"id,email_system,incoming_protocol,outgoing_protocol,sync_appointments_contacts_tasks,"
    b"authentication,autodiscover,profile_type,ports\n"
)


def _wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("signum", "code", "word"),
    [
        (signal.SIGINT, 130, "interrupted"),
        (signal.SIGTERM, 143, "terminated"),
        (signal.SIGHUP, 129, "stopped by SIGHUP"),
        (signal.SIGQUIT, 131, "stopped by SIGQUIT"),
        (signal.SIGUSR1, 138, "stopped by SIGUSR1"),
        (signal.SIGUSR2, 140, "stopped by SIGUSR2"),
    ],
)
def test_a_signal_mid_stream_leaves_no_output(tmp_path: Path, org_args, signum, code, word) -> None:
    target = tmp_path / "result.csv"
    args = [SYNCSCOPE, "batch", "-", "--out", str(target), "--fix"]
    args += org_args
    # A shell starts background jobs with SIGINT and SIGQUIT ignored, and nohup ignores
    # SIGHUP; syncscope keeps an inherited "ignore" on purpose, so the child starts
    # with the default action for the signal under test.
    proc = subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signum, signal.SIG_DFL),
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write(HEADER + ROW * 20000)  # rows arrive; the input stays open
        proc.stdin.flush()

        def temp_has_rows() -> bool:
            temps = [p for p in tmp_path.iterdir() if p.name != target.name]
            return bool(temps) and temps[0].stat().st_size > 0

        _wait_for(temp_has_rows)  # the run is mid-stream: a partial temporary file exists
        assert not target.exists()
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code
    assert f"error: {word}; no output file was written" in err.decode()
    assert "Traceback" not in err.decode()
    assert list(tmp_path.iterdir()) == []  # no final file, no temporary left


def test_the_input_file_is_never_modified(tmp_path: Path, org_args) -> None:
    source = tmp_path / "inventory.csv"
    data = HEADER + ROW * 100
    source.write_bytes(data)
    before = source.stat().st_mtime_ns
    args = [SYNCSCOPE, "batch", str(source), "--out", str(tmp_path / "out.csv")]
    args += org_args
    done = subprocess.run(args, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert source.read_bytes() == data and source.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.csv", "out.csv"]


def test_a_killed_run_leaves_a_named_temporary_that_the_next_run_removes(
    tmp_path: Path, org_args
) -> None:
    target = tmp_path / "result.csv"
    args = [SYNCSCOPE, "batch", "-", "--out", str(target), *org_args]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    try:
        proc.stdin.write(HEADER + ROW * 20000)
        proc.stdin.flush()
        _wait_for(lambda: any(p.stat().st_size > 0 for p in tmp_path.iterdir()))
        proc.kill()  # SIGKILL can't be caught: the temporary file stays
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    (left,) = tmp_path.iterdir()
    assert left.name.startswith(f".result.csv.{proc.pid}.") and left.name.endswith(".tmp")
    alive = tmp_path / ".result.csv.1.abcdefgh.tmp"  # pid 1 is alive: not ours to remove
    alive.write_text("")
    source = tmp_path / "inventory.csv"
    source.write_bytes(HEADER + ROW)
    done = subprocess.run(
        [SYNCSCOPE, "batch", str(source), "--out", str(target), *org_args],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [alive.name, "inventory.csv", "result.csv"]
    )
