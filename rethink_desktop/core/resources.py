"""Locate the bundled ``resources/`` folder the same way everywhere."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

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


def read_json(path: Path, *, missing: str, noun: str, error: type[ValueError]) -> Any:
    """Decode a JSON resource file; problems raise ``error`` with a message naming the file.

    ``missing`` names the thing when the file is absent ("the card deck file"); ``noun`` says
    what a non-text file is not ("a deck").
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path.name}: {missing} was not found ({path}).") from None
    except OSError as exc:
        raise error(f"{path.name}: {missing} could not be read ({exc.strerror}).") from None
    return decode_json(data, path.name, noun=noun, error=error)


def decode_json(data: bytes, name: str, *, noun: str, error: type[ValueError]) -> Any:
    """The JSON in ``data``, a file called ``name``; problems raise ``error`` as read_json's."""
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark (Notepad's) skipped
    except UnicodeDecodeError as exc:
        raise error(f"{name}: {_not_utf8(data, exc, noun)}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            f"{name}: the file is not valid JSON "
            f"(line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    except (RecursionError, ValueError):
        # Lists nested deeper than Python's stack allows, or a whole number of more than
        # 4,300 digits: JSON allows both, but no deck or template has either.
        raise error(
            f"{name}: the file is damaged or is not {noun} (it holds values nested too "
            "deeply or numbers too long to read)."
        ) from None


def _not_utf8(data: bytes, exc: UnicodeDecodeError, noun: str) -> str:
    """Why bytes that are not UTF-8 cannot be read, and what to do: a deck saved as Notepad's
    "Unicode" or "ANSI" is still a deck, and only needs saving again (as config files say)."""
    if data[:2] not in _UTF16_MARKS and b"\x00" in data:  # a Word document, a picture
        return f"the file is not text (a Word document, say), so it is not {noun}."
    return (
        f"the file is not UTF-8 text ({where_not_utf8(data, exc)}); save it again with the "
        "encoding UTF-8."
    )


_UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def where_not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    """Where a file that is not UTF-8 goes wrong, for a message: Notepad's "Unicode" is
    UTF-16; else the line (the error's position counts after a byte-order mark)."""
    if data[:2] in _UTF16_MARKS:
        return "it is UTF-16, which Notepad calls Unicode"
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    lines = data[: bom + exc.start].count(b"\n")
    return f"line {lines + 1}"


def check_format(
    obj: dict[str, Any], *, name: str, version: int, what: str, error: type[ValueError]
) -> None:
    """The ``format`` and ``format_version`` header shared by decks and templates."""
    if obj.get("format") != name:
        raise error(
            f'This is not {what}: "format" must be "{name}", not {shown(obj.get("format"))}.'
        )
    found = obj.get("format_version")
    if not is_int(found) or found < 1:
        raise error(
            f'The {what.split()[-1]} needs a "format_version" that is a whole number from 1.'
        )
    if found > version:
        raise error(
            f"The {what.split()[-1]} uses format version {found}, but this version of Re-Think "
            f"Desktop reads up to version {version}. Update the app or use an older "
            f"{what.split()[-1]}."
        )


def is_int(value: object) -> bool:
    """A JSON whole number (true/false decode to bool, which Python counts as int)."""
    return isinstance(value, int) and not isinstance(value, bool)


def shown(value: object) -> str:
    """A value as it would appear in the JSON file, for messages."""
    if isinstance(value, str):
        return f'"{value}"'
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
