"""The public API under hostile input: an answer or a SyncscopeError, never anything else."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syncscope

from .strategies import EXAMPLES, configs, json_values


def _take(found: object) -> object:
    return list(itertools.islice(found, 3))  # type: ignore[call-overload]


QUESTIONS: dict[str, Callable[[Mapping[str, object]], object]] = {
    "check": syncscope.check,
    "count": syncscope.count,
    "domains": syncscope.domains,
    "nearest": syncscope.nearest,
    "explain": syncscope.explain,
    "table": syncscope.table,
    "configurations": lambda c: _take(syncscope.configurations(c)),
    "export_lines": lambda c: _take(syncscope.export_lines(c)),
}


@pytest.mark.parametrize("question", sorted(QUESTIONS))
@settings(max_examples=EXAMPLES)
@given(config=configs)
def test_every_question_answers_or_raises_a_syncscope_error(
    question: str, config: dict[str, object]
) -> None:
    try:
        result = QUESTIONS[question](config)
    except syncscope.SyncscopeError as error:
        assert str(error)
        assert isinstance(error, syncscope.InputError | syncscope.NoSolution)
        return
    to_dict = getattr(result, "to_dict", None)
    if to_dict is not None:
        syncscope_json = to_dict()
        assert isinstance(syncscope_json, dict)


@settings(max_examples=EXAMPLES)
@given(start=configs, target=configs)
def test_plan_answers_or_raises_a_syncscope_error(
    start: dict[str, object], target: dict[str, object]
) -> None:
    try:
        syncscope.plan(start, target)
    except syncscope.SyncscopeError as error:
        assert str(error)


@settings(max_examples=EXAMPLES)
@given(weights=st.dictionaries(st.sampled_from(["ports", "deployment", "prots"]), json_values))
def test_weights_are_numbers_within_bounds_or_an_input_error(weights: dict[str, object]) -> None:
    config = {"deployment": "online", "email_system": "gmail", "authentication": "impersonation"}
    try:
        found = syncscope.nearest(config, weights=weights)
    except syncscope.InputError as error:
        assert "weight" in str(error)
        return
    assert found.cost is not None
