"""Hostile rule files: deep nesting and absurd weights give a ModelError naming the file (and the
variable), never a RecursionError, an OverflowError or a hang."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from syncscope.model import ModelError, load_model

BASE = """\
[[documents]]
id = "doc"
path = "doc.txt"

[variables.color]
values = [{ id = "red" }, { id = "blue" }]
change_weight = WEIGHT

[[rules]]
id = "no-red"
level = "unsupported"
message = "Red is not supported."
forbid = { color = "red" }
source = { document = "doc", section = "S", quote = "Red is not supported." }
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "doc.txt").write_text("Red is not supported.\n", encoding="utf-8")
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_base_file_loads(tmp_path: Path) -> None:
    assert load_model(_write(tmp_path, BASE.replace("WEIGHT", "3"))).variable("color").domain == (
        "red",
        "blue",
    )


def test_arrays_nested_ten_thousand_deep(tmp_path: Path) -> None:
    text = BASE.replace("WEIGHT", "1") + "\n[model]\nname = " + "[" * 10_000 + "]" * 10_000 + "\n"
    path = _write(tmp_path, text)
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert info.value.file == str(path)
    assert any("nested deeper than" in p for p in info.value.problems)


def test_when_nested_five_thousand_deep_with_brackets(tmp_path: Path) -> None:
    deep = "{ color = " * 5_000 + '"red"' + " }" * 5_000
    text = BASE.replace("WEIGHT", "1").replace(
        'forbid = { color = "red" }', f'when = {deep}\nforbid = {{ color = "red" }}'
    )
    path = _write(tmp_path, text)
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert info.value.file == str(path)


def test_when_nested_five_thousand_deep_with_dotted_keys(tmp_path: Path) -> None:
    dotted = "when." + ".".join(["color"] * 5_000) + ' = "red"'
    text = BASE.replace("WEIGHT", "1").replace(
        'forbid = { color = "red" }', f'{dotted}\nforbid = {{ color = "red" }}'
    )
    path = _write(tmp_path, text)
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert info.value.file == str(path)
    assert any("nested deeper than" in p and "rules" in p for p in info.value.problems)


@pytest.mark.parametrize(
    "weight",
    ["1e-320", "1" + "0" * 399, "nan", "inf", "-inf", "0", "-1", "true", '"heavy"'],
    ids=["subnormal", "400-digits", "nan", "inf", "minus-inf", "zero", "negative", "bool", "text"],
)
def test_absurd_change_weights_name_file_and_variable(tmp_path: Path, weight: str) -> None:
    path = _write(tmp_path, BASE.replace("WEIGHT", weight))
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert info.value.file == str(path)
    (problem,) = info.value.problems
    assert problem.startswith("variable color: change_weight must be a finite number")
    assert len(problem) < 200


def test_a_fifo_is_refused_by_name(tmp_path: Path) -> None:
    fifo = tmp_path / "rules.toml"
    os.mkfifo(fifo)
    with pytest.raises(ModelError) as info:
        load_model(fifo)
    assert info.value.file == str(fifo)
    assert "not a regular file" in str(info.value)


def test_a_fifo_as_vocabulary_is_refused_by_name(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "vocabulary.toml")
    text = BASE.replace("WEIGHT", "1").replace(
        "[variables.color]",
        '[vocabulary]\nfile = "vocabulary.toml"\nvariables = ["color"]\n\n[variables.color]',
    )
    with pytest.raises(ModelError) as info:
        load_model(_write(tmp_path, text))
    assert info.value.file == str(tmp_path / "vocabulary.toml")
    assert "not a regular file" in str(info.value)


def test_many_variables_need_no_deep_recursion(tmp_path: Path) -> None:
    """The check that some configuration is valid walks variables with an explicit stack."""
    names = [f"v{i}" for i in range(3_000)]
    body = "".join(f'[variables.{n}]\ntype = "bool"\n' for n in names)
    text = BASE.replace("WEIGHT", "1") + body
    model = load_model(_write(tmp_path, text))
    assert len(model.variables) == 3_001
