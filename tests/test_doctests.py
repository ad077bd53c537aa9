"""Run the Examples sections of every public module's docstrings as doctests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest


def _modules() -> list[str]:
    # model/ and solver/ are mapped into the package from other folders, so walk each.
    names = set()
    for package in ("syncscope", "syncscope.model", "syncscope.solver"):
        names.add(package)
        path = importlib.import_module(package).__path__
        names.update(i.name for i in pkgutil.walk_packages(path, prefix=package + "."))
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
