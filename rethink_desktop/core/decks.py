"""The card deck in use: the one bundled with the app, or one the facilitator imported.

An imported deck is checked as the bundled one is (``cards.load_deck``), and must also hold
every card the agenda templates open a phase with, then it is copied into the config folder
(``card-deck.json``, see docs/resources.md). The app uses it from then on, and again at each
start; one that can no longer be used there (edited by hand, say) gives way to the bundled
deck, with a message, so a meeting is never stopped by it. Session records keep only card
ids, so earlier sessions read the same whichever deck is in use.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from rethink_desktop.core.agenda import Template
from rethink_desktop.core.cards import Deck, DeckError, load_deck, load_default_deck

UNCHANGED = "The deck in use is unchanged."


class DeckInUse(NamedTuple):
    deck: Deck
    imported: bool
    problem: str | None  # why an imported deck is not the one in use, for the facilitator


def missing_opening_cards(deck: Deck, templates: Mapping[str, Template]) -> list[str]:
    """The cards the agenda templates open a phase with that ``deck`` does not have."""
    needed = {p.opening_card for t in templates.values() for p in t.phases if p.opening_card}
    return sorted(needed - {card.id for card in deck})


def _check_openings(deck: Deck, templates: Mapping[str, Template], name: str) -> None:
    missing = missing_opening_cards(deck, templates)
    if missing:
        raise DeckError(
            f"{name}: the agenda templates open phases with cards this deck does not have "
            f"({', '.join(missing)}). Keep those cards (copy them from the bundled deck)."
        )


def deck_in_use(imported: Path, templates: Mapping[str, Template]) -> DeckInUse:
    """The imported deck at ``imported`` if there is one the app can use, else the bundled
    deck (with ``problem`` saying why, when there was one). Only the bundled deck's own
    faults raise (``DeckError``): those are the installation's, for IT."""
    if not imported.exists():
        return DeckInUse(load_default_deck(), False, None)
    try:
        deck = load_deck(imported)
        _check_openings(deck, templates, imported.name)
    except DeckError as exc:
        return DeckInUse(
            load_default_deck(),
            False,
            f"The card deck you imported cannot be used, so the deck that comes with the app "
            f"is in use. {exc} Import your deck again once it is put right (File → Card "
            "deck), or choose the bundled deck there.",
        )
    return DeckInUse(deck, True, None)


def install_deck(source: Path, imported: Path, templates: Mapping[str, Template]) -> Deck:
    """Check the deck file at ``source`` and copy it to ``imported``, the deck in use from
    now on; raise ``DeckError`` (nothing changed, and the message says so) if it cannot be
    used or saved."""
    partial = imported.with_name(imported.name + ".part")
    try:
        deck = load_deck(source)
        _check_openings(deck, templates, source.name)
        imported.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, partial)
        # What is put in place is what was checked (the file could change in between).
        if load_deck(partial) != deck:
            raise DeckError(f"{source.name} changed while it was being imported. Try again.")
        os.replace(partial, imported)
    except DeckError as exc:
        raise DeckError(f"{exc} {UNCHANGED}") from None
    except OSError as exc:
        raise DeckError(
            f"The deck could not be saved in {imported.parent} ({exc.strerror or exc}). "
            + UNCHANGED
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return deck


def remove_imported_deck(imported: Path) -> None:
    """Go back to the bundled deck; raise ``DeckError`` if the file cannot be removed."""
    try:
        imported.unlink(missing_ok=True)
    except OSError as exc:
        raise DeckError(
            f"The imported deck could not be removed from {imported.parent} "
            f"({exc.strerror or exc}). It stays in use."
        ) from None
