"""The installed environment is the one the start-up figures assume (see the Makefile)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = (
    "import shiboken6, shibokensupport; print(shiboken6.__file__); print(shibokensupport.__file__)"
)


def test_pyside_support_files_are_unpacked_and_compiled() -> None:
    # Left inside the library, PySide6's support modules are compiled from source at every
    # start of the app; `make` unpacks them (SBK_EMBED=0) and caches their bytecode.
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    files_dir = Path(out[0]).parent / "files.dir"
    support = Path(out[1])
    assert support.is_file(), "shibokensupport was loaded from inside the library: run make"
    assert support.is_relative_to(files_dir)
    compiled = list((files_dir / "shibokensupport" / "signature" / "__pycache__").glob("*.pyc"))
    assert {p.name.split(".")[0] for p in compiled} >= {"loader", "parser", "mapping"}
