"""The build backend: setuptools' own, with the editable install's shadowing notice handled."""

from __future__ import annotations

import warnings
from pathlib import Path

from setuptools import build_meta as _setuptools  # type: ignore[import-untyped]
from setuptools.build_meta import (  # type: ignore[import-untyped]
    build_sdist,
    build_wheel,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)
from setuptools.warnings import InformationOnly  # type: ignore[import-untyped]

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]

PACKAGE = "syncscope"


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, str | list[str]] | None = None,
    metadata_directory: str | None = None,
) -> str:
    """Build the editable wheel as setuptools does, without its notice about shadowing.

    The package is spread over three folders (``src/syncscope``, ``model`` and
    ``solver``), so setuptools installs it through an import finder and always
    adds the notice "Editable installation. Please be careful with folders in
    your working directory with the same name as your package as they may take
    precedence during imports". The folder it warns about would be one named
    ``syncscope`` where Python starts; the project has none (the package's code
    is in ``src/syncscope``), and such a folder would shadow a regular install
    just the same. So the notice is dropped here, but only while the project
    root has no ``syncscope`` folder or module; every other warning passes.
    """
    with warnings.catch_warnings():
        if not _shadowed(Path.cwd()):
            warnings.filterwarnings(
                "ignore", message=r"Editable installation\.", category=InformationOnly
            )
        name: str = _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
    return name


def _shadowed(root: Path) -> bool:
    """Whether ``root`` holds a folder or module named like the package."""
    return (root / PACKAGE).exists() or (root / f"{PACKAGE}.py").exists()
