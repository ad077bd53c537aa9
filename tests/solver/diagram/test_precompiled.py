"""The built-in seed's precompiled file: current, equal to compiling, and never trusted blindly.

Tests that change the file, an input or a module work on copies: the
precompiled module's folders are pointed at a temporary copy of the data and
code, so the package itself is never written.
"""

from __future__ import annotations

import dataclasses
import functools
import marshal
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from syncscope.model import load_model, loader, precompiled
from syncscope.model.loader import _Loader
from syncscope.solver.diagram import precompiled as solver_pre
from syncscope.solver.diagram import space as space_module
from syncscope.solver.diagram.space import Space, compiled

from syncscope.cli import cli

ROOT = Path(__file__).resolve().parents[3]


@functools.cache
def _payload() -> bytes:
    return solver_pre.build()


def _data(sealed: bytes) -> dict[str, Any]:
    payload = precompiled.unseal(sealed)
    assert payload is not None
    data = marshal.loads(payload)
    assert isinstance(data, dict)
    return data


def _sealed(data: object) -> bytes:
    return precompiled.seal(marshal.dumps(data))


def _clear() -> None:
    precompiled.read.cache_clear()
    precompiled.builtin_model.cache_clear()
    solver_pre._solver_current.cache_clear()
    loader._load_cached.cache_clear()


@pytest.fixture()
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the data and of the model and solver code, with the file built from it."""
    data = tmp_path / "data"
    shutil.copytree(precompiled.data_dir(), data, ignore=shutil.ignore_patterns("*.precompiled"))
    model_code = tmp_path / "model"
    shutil.copytree(precompiled.code_dir(), model_code, ignore=shutil.ignore_patterns("data"))
    solver_code = tmp_path / "solver"
    shutil.copytree(solver_pre._solver_root(), solver_code)
    target = data / "seed.precompiled"
    real = _data(_payload())  # built from the package: which modules its build ran
    monkeypatch.setattr(precompiled, "data_dir", lambda: data)
    monkeypatch.setattr(precompiled, "code_dir", lambda: model_code)
    monkeypatch.setattr(precompiled, "file_path", lambda: target)
    monkeypatch.setattr(solver_pre, "_solver_root", lambda: solver_code)
    monkeypatch.setattr(space_module, "_memo", {})
    monkeypatch.setattr(space_module, "_seed", [])
    # Built from the copy's data; its code lists are those of the package's build, hashed
    # in the copy (the modules run from the package, whose files the copy equals).
    built = _data(solver_pre.build())
    built["model_code"] = precompiled.digests(model_code, [n for n, _ in real["model_code"]])
    built["solver_code"] = precompiled.digests(solver_code, [n for n, _ in real["solver_code"]])
    target.write_bytes(precompiled.seal(marshal.dumps(built)))
    _clear()
    yield target
    _clear()


def _fresh_space() -> Space:
    model = _Loader(precompiled.data_dir() / "seed.toml").load()
    space = compiled(model, use_cache=False)
    solver_pre._warm(space)
    return space


def _same_memo(loaded: Space, fresh: Space) -> None:
    row = [-1] * len(fresh.tables.sizes)
    for key in solver_pre.KEPT:
        got, want = loaded.memo[key], fresh.memo[key]
        if key in solver_pre._INDEXES:
            assert [(per, owner) for _, per, owner in got] == [
                (per, owner) for _, per, owner in want
            ], key
            for (read, _, _), (expected, _, _) in zip(got, want, strict=True):
                assert read(row) == expected(row)
                assert read(list(range(len(row)))) == expected(list(range(len(row))))
        else:
            assert got == want, key


def test_the_shipped_file_is_current() -> None:
    """Fails when the seed, the vocabulary, a source or a module it was built with changed."""
    assert solver_pre.state() == "fresh", (
        f"{precompiled.file_path()} is {solver_pre.state()}: run `syncscope docs` to rebuild it"
    )


def test_the_shipped_file_equals_a_fresh_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(space_module, "_memo", {})
    monkeypatch.setattr(space_module, "_seed", [])
    _clear()
    try:
        model = load_model()
        assert model is precompiled.builtin_model()
        fresh = _fresh_space()
        assert model == fresh.model
        assert model.file == str(precompiled.data_dir() / "seed.toml") == fresh.model.file
        loaded = solver_pre.space_for(model)
        assert loaded is not None
        assert loaded.model is model
        assert loaded.tables == fresh.tables
        assert all(a.rule is b for a, b in zip(loaded.tables.rules, model.rules, strict=True))
        assert loaded.diagram == fresh.diagram
        _same_memo(loaded, fresh)
        kept = compiled(model)
        assert isinstance(kept.memo, solver_pre._Kept)
        assert all(kept.memo[key] is kept.memo[key] for key in solver_pre.KEPT)
    finally:
        _clear()


def test_a_copy_built_here_is_read_back(copy: Path) -> None:
    assert solver_pre.state() == "fresh"
    model = load_model()
    assert model is precompiled.builtin_model()
    loaded = solver_pre.space_for(model)
    assert loaded is not None
    fresh = _fresh_space()
    assert loaded.tables == fresh.tables and loaded.diagram == fresh.diagram
    _same_memo(loaded, fresh)


@pytest.mark.parametrize(
    "edit",
    ["seed.toml", "vocabulary.toml", "sources/seed.txt", "model/loader.py", "solver/mdd.py"],
)
def test_an_edited_input_or_module_makes_it_stale(copy: Path, edit: str) -> None:
    root = copy.parents[1]
    target = {
        "model/loader.py": root / "model" / "loader.py",
        "solver/mdd.py": root / "solver" / "diagram" / "mdd.py",
    }.get(edit, root / "data" / edit)
    target.write_bytes(target.read_bytes() + b"\n# edited\n")
    _clear()
    assert solver_pre.state() == "stale"
    model = load_model()
    if edit.startswith("solver/"):
        assert model is precompiled.builtin_model()  # the model's part is still current
    else:
        assert precompiled.builtin_model() is None
    assert solver_pre.space_for(model) is None
    space = compiled(model)
    assert type(space.memo) is dict  # compiled afresh, no precompiled tables pending
    assert space.diagram == _fresh_space().diagram


def _bad_files(good: bytes, marker: Path) -> dict[str, bytes]:
    data = _data(good)
    wrong_hash = dict(data, inputs=[(name, "0" * 64) for name, _ in data["inputs"]])
    wrong_format = dict(data, format=precompiled.FORMAT + 1)
    wrong_python = dict(data, python=[2, 7])
    unknown_class = dict(data, model=["o", "system", {"command": "touch /tmp/x"}])
    code = dict(data, model=compile(f"open({str(marker)!r}, 'w')", "<x>", "exec"))
    escaping = dict(data, inputs=[("../../etc/passwd", "0" * 64)])
    absolute = dict(data, inputs=[("/etc/passwd", "0" * 64)])
    broken_space = dict(data, space={"tables": ["t", 5], "diagram": None, "memo": {}})
    foreign_memo = dict(data, space={**data["space"], "memo": {"os.system": 1}})
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0x01  # one damaged bit in the payload
    return {
        "empty": b"",
        "truncated": good[: len(good) // 2],
        "garbage": b"\x00\xff" * 1000,
        "unsealed": marshal.dumps(data),
        "flipped bit": bytes(flipped),
        "not a dict": _sealed([1, 2, 3]),
        "wrong hash": _sealed(wrong_hash),
        "wrong format": _sealed(wrong_format),
        "wrong python": _sealed(wrong_python),
        "unknown class": _sealed(unknown_class),
        "code object": _sealed(code),
        "path outside": _sealed(escaping),
        "absolute path": _sealed(absolute),
        "broken space": _sealed(broken_space),
        "foreign memo": _sealed(foreign_memo),
    }


@pytest.mark.parametrize(
    "case", list(_bad_files(_sealed({"inputs": [], "space": {}}), Path("x")))
)
def test_a_corrupt_or_forged_file_falls_back_to_the_toml(copy: Path, case: str) -> None:
    good = copy.read_bytes()
    expected_model = _Loader(loader.builtin_path()).load()  # the real seed, equal to the copy
    expected = CliRunner().invoke(cli, ["domains", "--set", "profile_type=pop3-smtp", "--json"])
    assert expected.exit_code == 0
    marker = copy.parent / "ran"
    copy.write_bytes(_bad_files(good, marker)[case])
    _clear()
    space_module._memo.clear()
    space_module._seed.clear()
    forged = case in ("unknown class", "code object", "broken space", "foreign memo")
    assert (solver_pre.state() == "fresh") == forged  # forged: hashes intact, content refused
    model = load_model()
    assert dataclasses.replace(model, file=expected_model.file) == expected_model
    if case in ("broken space", "foreign memo"):
        assert precompiled.builtin_model() is not None  # the model's part is sound
    else:
        assert precompiled.builtin_model() is None
    if case not in ("unknown class", "code object"):  # there, the space's part is sound
        assert solver_pre.space_for(model) is None
    result = CliRunner().invoke(cli, ["domains", "--set", "profile_type=pop3-smtp", "--json"])
    assert result.exit_code == 0, result.output
    assert result.output == expected.output
    assert not marker.exists()  # nothing in the file ever runs


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_or_a_folder_in_its_place_never_blocks(copy: Path) -> None:
    copy.unlink()
    os.mkfifo(copy)
    _clear()
    assert solver_pre.state() == "unreadable"
    assert load_model() == _Loader(loader.builtin_path()).load()
    copy.unlink()
    copy.mkdir()
    _clear()
    assert precompiled.builtin_model() is None
    copy.rmdir()
    _clear()
    assert solver_pre.state() == "missing"
    assert precompiled.builtin_model() is None


def test_another_model_never_gets_the_seed_space(copy: Path) -> None:
    other = load_model(edition="online-2022-01")
    assert solver_pre.space_for(other) is None
    assert compiled(other).model is other


def test_write_rebuilds_only_when_stale(copy: Path) -> None:
    assert solver_pre.write() is False
    vocabulary = precompiled.data_dir() / "vocabulary.toml"
    vocabulary.write_bytes(vocabulary.read_bytes() + b"\n")
    _clear()
    assert solver_pre.state() == "stale"
    assert solver_pre.write() is True
    assert solver_pre.state() == "fresh"
    assert solver_pre.write() is False
    model = load_model()
    assert model is precompiled.builtin_model()
    assert model == _Loader(precompiled.data_dir() / "seed.toml").load()
    assert solver_pre.space_for(model) is not None


def test_a_process_that_cannot_write_bytecode_reads_it(tmp_path: Path) -> None:
    """The command line answers from the file in a fresh process, as before, with no traceback."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    probe = (
        "import sys\n"
        "from syncscope.cli import main\n"
        "from syncscope.solver.diagram import space\n"
        "calls = []\n"
        "real = space.compile_diagram\n"
        "space.compile_diagram = lambda tables: calls.append(1) or real(tables)\n"
        "try:\n"
        "    main(['domains', '--set', 'profile_type=pop3-smtp', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('PRE=' + str(not calls and 'tomllib' not in sys.modules), file=sys.stderr)\n"
    )
    before = solver_pre.state()
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert "Traceback" not in done.stderr
    if solver_pre.state() == before:  # else a module was edited meanwhile (a shared checkout)
        assert ("PRE=True" in done.stderr) == (before == "fresh"), done.stderr
    assert '"profile_type": "pop3-smtp"' in done.stdout
