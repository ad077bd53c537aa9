"""``syncscope batch --out``: what the path points at is written, never destroyed; what
is not a regular file is refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from syncscope.batch.errors import UnwritableOutput
from syncscope.batch.writer import OutputTarget, open_output

INVENTORY = b"id,email_system\nm1,Gmail\nm2,MSN\n"


def _inventory(tmp_path: Path) -> str:
    path = tmp_path / "inv.csv"
    path.write_bytes(INVENTORY)
    return str(path)


def _assert_written(text: str) -> None:
    lines = text.splitlines()
    assert lines[0].startswith("row,id,verdict")
    assert [line.split(",")[:3] for line in lines[1:]] == [
        ["1", "m1", "supported"],
        ["2", "m2", "unsupported"],
    ]


def test_a_symlink_is_kept_and_its_target_written(run_batch, tmp_path, all_args) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    real = elsewhere / "result.csv"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    out = run_batch([_inventory(tmp_path), *all_args, "--out", str(link)])
    assert out.exception is None and out.code == 1, out.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    _assert_written(real.read_text())
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the existing file's mode is kept
    assert sorted(p.name for p in elsewhere.iterdir()) == ["result.csv"]  # no temporary left


def test_a_dangling_symlink_creates_its_target(run_batch, tmp_path, all_args) -> None:
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "new.csv")
    out = run_batch([_inventory(tmp_path), *all_args, "--out", str(link)])
    assert out.code == 1, out.stderr
    assert link.is_symlink()
    _assert_written((tmp_path / "new.csv").read_text())


def test_a_fifo_out_is_refused_and_stays_a_fifo(run_batch, tmp_path, all_args) -> None:
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    out = run_batch([_inventory(tmp_path), *all_args, "--out", str(fifo)])  # no reader: no hang
    assert out.exception is None and out.code == 2
    assert out.stderr == (
        f"error: --out {fifo}: cannot write: not a regular file (it is a FIFO);"
        " leave out --out to write to stdout\n"
    )
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inv.csv", "rows.csv"]


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        ("missing/out.csv", "cannot write: the folder 'missing' does not exist"),
        ("file.txt/out.csv", "cannot write: the folder 'file.txt' is not a folder"),
        ("folder", "cannot write: it is a folder"),
    ],
)
def test_an_unwritable_out_is_exit_2_without_traceback(
    run_batch, tmp_path, monkeypatch, all_args, out, reason
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file.txt").write_text("keep\n")
    (tmp_path / "folder").mkdir()
    result = run_batch([_inventory(tmp_path), *all_args, "--out", out])
    assert result.exception is None
    assert result.code == 2
    assert result.stderr == f"error: --out {out}: {reason}\n"
    assert result.stdout == ""
    assert (tmp_path / "file.txt").read_text() == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "folder", "inv.csv"]


def test_a_failing_temporary_file_is_a_clear_error(run_batch, tmp_path, all_args, monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    target = tmp_path / "out.csv"
    result = run_batch([_inventory(tmp_path), *all_args, "--out", str(target)])
    assert result.exception is None and result.code == 2
    assert result.stderr == f"error: --out {target}: cannot write: Permission denied\n"
    assert not target.exists()


def test_a_failing_fsync_is_a_clear_error_and_leaves_nothing(tmp_path, monkeypatch) -> None:
    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    target = OutputTarget.of(tmp_path / "out.csv")
    full_disk = pytest.raises(UnwritableOutput, match=r"out\.csv: cannot write: No space left")
    with full_disk, open_output(target) as stream:
        stream.write("row\n")
    assert list(tmp_path.iterdir()) == []
