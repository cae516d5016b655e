"""The card deck in use: the one bundled with the app, or one the facilitator imported.

An imported deck is checked as the bundled one is (``cards.load_deck``), and must also hold
every card the agenda templates open a phase with, then its bytes, read once, are written to
the config folder (``card-deck.json``, see docs/resources.md). The app uses it from then on,
and again at each start; one that can no longer be used there (edited by hand, say) gives
way to the bundled deck, with a message, so a meeting is never stopped by it. Going back to
the bundled deck, or importing another, keeps the one in use beside it as
``card-deck.previous.json``: it may be the only copy of a partnership's deck. Session
records keep only card ids, so earlier sessions read the same whichever deck is in use.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from rethink_desktop.core.agenda import Template
from rethink_desktop.core.cards import Deck, DeckError, deck_from_bytes, load_default_deck
from rethink_desktop.core.resources import resource_path

UNCHANGED = "The deck in use is unchanged."
# The bundled deck is ~13 kB; a file far bigger is not a deck, and would be read at each start.
DECK_MAX_BYTES = 1024 * 1024


class DeckInUse(NamedTuple):
    deck: Deck
    imported: bool
    problem: str | None  # why an imported deck is not the one in use, for the facilitator


def previous_copy(imported: Path) -> Path:
    """Where going back to the bundled deck keeps the imported one."""
    return imported.with_name(imported.stem + ".previous" + imported.suffix)


def missing_opening_cards(deck: Deck, templates: Mapping[str, Template]) -> list[str]:
    """The cards the agenda templates open a phase with that ``deck`` does not have."""
    needed = {p.opening_card for t in templates.values() for p in t.phases if p.opening_card}
    return sorted(needed - {card.id for card in deck})


def _checked(data: bytes, name: str, templates: Mapping[str, Template]) -> Deck:
    if len(data) > DECK_MAX_BYTES:
        raise DeckError(
            f"{name}: the file is over {DECK_MAX_BYTES // 1024} KiB, far more than a deck (the "
            "bundled one is about 13 kB), so it is not one."
        )
    deck = deck_from_bytes(data, name)
    missing = missing_opening_cards(deck, templates)
    if missing:
        raise DeckError(
            f"{name}: the agenda templates open phases with cards this deck does not have "
            f"({', '.join(missing)}). Keep those cards (copy them from the bundled deck)."
        )
    return deck


def _read(path: Path, what: str) -> bytes:
    """The file's bytes, read once, at most one byte past the limit."""
    try:
        with path.open("rb") as handle:
            return handle.read(DECK_MAX_BYTES + 1)
    except OSError as exc:
        raise DeckError(f"{path.name}: {what} could not be read ({exc.strerror or exc}).") from None


def deck_in_use(imported: Path, templates: Mapping[str, Template]) -> DeckInUse:
    """The imported deck at ``imported`` if there is one the app can use, else the bundled
    deck (with ``problem`` saying why, when there was one). Only the bundled deck's own
    faults raise (``DeckError``): those are the installation's, for IT."""
    try:
        data = None if not os.path.lexists(imported) else _read(imported, "the imported deck")
        deck = None if data is None else _checked(data, imported.name, templates)
    except DeckError as exc:
        return DeckInUse(
            load_default_deck(),
            False,
            f"The card deck you imported cannot be used, so the deck that comes with the app "
            f"is in use. {exc} Import your deck again once it is put right (File → Card "
            "deck), or choose the bundled deck there.",
        )
    if deck is None:
        return DeckInUse(load_default_deck(), False, None)
    return DeckInUse(deck, True, None)


def install_deck(source: Path, imported: Path, templates: Mapping[str, Template]) -> Deck:
    """Check the deck file at ``source`` and put its bytes at ``imported``, the deck in use
    from now on; raise ``DeckError`` (nothing changed, and the message says so) if it cannot
    be read, used or saved."""
    try:
        data = _read(source, "the deck")
        deck = _checked(data, source.name, templates)
    except DeckError as exc:
        raise DeckError(f"{exc} {UNCHANGED}") from None
    folder = imported.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _set_aside(imported, data)
        _write_whole(imported, data)
    except OSError as exc:
        raise DeckError(
            f"The deck could not be saved in {folder} ({exc.strerror or exc}). {UNCHANGED}"
        ) from None
    return deck


def _write_whole(target: Path, data: bytes) -> None:
    """``data`` at ``target`` whole or not at all: through a unique temporary file beside it,
    fsynced, then renamed over it (a link there is replaced, never written through)."""
    handle, partial = tempfile.mkstemp(prefix=".card-deck-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


def _set_aside(imported: Path, data: bytes) -> None:
    """Before the deck in use is replaced by ``data``, keep it as ``previous_copy`` (it may
    be the only copy of a deck too): whole, and not when it is the same deck again (that
    would put the older deck kept there out of reach)."""
    if not os.path.isfile(imported):
        return
    try:
        old = imported.read_bytes()
    except OSError:  # unreadable here (another user's file): moved aside as it is
        os.replace(imported, previous_copy(imported))
        return
    if old != data:
        _write_whole(previous_copy(imported), old)


def save_bundled_copy(target: Path) -> None:
    """Write the bundled deck's file to ``target``, to edit into a deck of one's own (the
    user guide's first step; the file itself sits inside the installed app)."""
    try:
        shutil.copyfile(resource_path("cards", "default.json"), target)
    except OSError as exc:
        raise DeckError(
            f"The copy could not be saved as {target} ({exc.strerror or exc}). "
            "Choose another folder."
        ) from None


def remove_imported_deck(imported: Path) -> Path | None:
    """Go back to the bundled deck: the imported one is kept as ``previous_copy`` (replacing
    an older one there), which is returned; None when there was none. ``DeckError`` if it
    cannot be moved."""
    if not os.path.lexists(imported):
        return None
    kept = previous_copy(imported)
    try:
        os.replace(imported, kept)
    except OSError as exc:
        raise DeckError(
            f"The imported deck could not be set aside in {imported.parent} "
            f"({exc.strerror or exc}). It stays in use."
        ) from None
    return kept
