"""The facts every build shares, read from one source: pyproject.toml.

Loaded by file path by ``rethink.spec``, ``build.py`` and the packaging tests (``packaging/``
is not a package, and must never become one: it would shadow the ``packaging`` library).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
VERSION_INFO = ROOT / "packaging" / "windows" / "version_info.txt"

APP_NAME = "rethink-desktop"
DISPLAY_NAME = "Re-Think Desktop"
APP_ID = "org.rethink.desktop"
PUBLISHER = "Re-Think Desktop maintainers"
COPYRIGHT = "Copyright © Re-Think Desktop maintainers. MIT licence."
# Qt 6.10 and later support macOS 13 and later (the PySide6 wheels are tagged macosx_13_0).
MACOS_MINIMUM = "13.0"
# The Linux one-folder build must stay at or below this (issue 5).
SIZE_BUDGET_MB = 110.0


def project_version(pyproject: Path = PYPROJECT) -> str:
    """The ``[project] version`` string: the one source of the version."""
    with pyproject.open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def version_numbers(version: str) -> tuple[int, int, int, int]:
    """The leading release numbers, padded to four (Windows wants exactly four)."""
    match = re.match(r"\d+(?:\.\d+){0,3}", version)
    if match is None:
        raise ValueError(f"version {version!r} does not start with a release number")
    numbers = [int(part) for part in match.group(0).split(".")]
    return (*numbers, 0, 0, 0)[:4]  # type: ignore[return-value]


def short_version(version: str) -> str:
    """``X.Y.Z`` for macOS' CFBundleShortVersionString, which allows nothing else."""
    return ".".join(str(n) for n in version_numbers(version)[:3])


def render_version_info(version: str) -> str:
    """The Windows version resource, in the text form PyInstaller's ``version=`` reads."""
    numbers = version_numbers(version)
    strings = {
        "CompanyName": PUBLISHER,
        "FileDescription": DISPLAY_NAME,
        "FileVersion": version,
        "InternalName": APP_NAME,
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": f"{APP_NAME}.exe",
        "ProductName": DISPLAY_NAME,
        "ProductVersion": version,
    }
    string_lines = ",\n".join(
        f"          StringStruct({key!r}, {value!r})" for key, value in strings.items()
    )
    # 0x0809 is English (United Kingdom); 1200 (0x04B0) is the Unicode code page.
    return f"""# UTF-8
# Written by packaging/build.py from pyproject.toml; do not edit.
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers},
    prodvers={numbers},
    mask=0x3F,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0),
  ),
  kids=[
    StringFileInfo(
      [
        StringTable(
          '080904B0',
          [
{string_lines},
          ],
        )
      ]
    ),
    VarFileInfo([VarStruct('Translation', [0x0809, 1200])]),
  ],
)
"""


def write_version_info(version: str, path: Path = VERSION_INFO) -> Path:
    """Write the Windows version resource if it changed (so a clean tree stays clean)."""
    text = render_version_info(version)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


def info_plist(version: str) -> dict[str, object]:
    """The Info.plist keys of the macOS bundle (PyInstaller adds the executable and icon)."""
    short = short_version(version)
    return {
        "CFBundleName": DISPLAY_NAME,
        "CFBundleDisplayName": DISPLAY_NAME,
        "CFBundleShortVersionString": short,
        "CFBundleVersion": short,
        "LSMinimumSystemVersion": MACOS_MINIMUM,
        "LSApplicationCategoryType": "public.app-category.productivity",
        "NSHighResolutionCapable": True,
        # Follow the system's light or dark appearance; the app has its own dark theme.
        "NSRequiresAquaSystemAppearance": False,
        "NSHumanReadableCopyright": COPYRIGHT,
    }
