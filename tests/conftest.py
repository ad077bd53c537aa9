"""Shared fixtures: a private diagram cache for the whole run, and the compiled seed model."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

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

# The cache folder is read at each use, so setting it here covers every test.
os.environ.setdefault("SYNCSCOPE_CACHE_DIR", tempfile.mkdtemp(prefix="syncscope-test-cache-"))


@pytest.fixture(scope="session")
def model() -> Model:
    """The built-in seed model."""
    return load_model()


@pytest.fixture(scope="session")
def space(model: Model) -> Space:
    """The compiled seed model."""
    return compiled(model)


@pytest.fixture()
def cache_dir(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty diagram cache folder for one test."""
    path = str(tmp_path)
    monkeypatch.setenv("SYNCSCOPE_CACHE_DIR", path)
    yield path
