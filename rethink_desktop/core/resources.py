"""Locate the bundled ``resources/`` folder the same way everywhere."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def resource_dir() -> Path:
    """Return the resources folder.

    An installed wheel and a frozen build both carry it inside the package
    (``rethink_desktop/resources``); a source checkout has it beside the package.
    """
    inside = _PACKAGE_DIR / "resources"
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Return the path of one bundled resource file or folder."""
    return resource_dir().joinpath(*parts)
