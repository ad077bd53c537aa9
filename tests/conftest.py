"""Shared fixtures: the seed model and its compiled space."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from syncscope.model import Model, load_model
from syncscope.solver.diagram.space import Space, compiled

# Property tests run the same examples on every machine: no flaky deadlines on a
# loaded CI machine, no example database carried between runs.
settings.register_profile(
    "syncscope",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("syncscope")


@pytest.fixture(scope="session")
def model() -> Model:
    """The built-in seed model."""
    return load_model()


@pytest.fixture(scope="session")
def space(model: Model) -> Space:
    """The compiled seed model."""
    return compiled(model)
