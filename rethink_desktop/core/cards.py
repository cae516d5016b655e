"""Prompt card decks: the schema, a validating loader and the bundled default deck.

A deck is a JSON file (format ``rethink-cards``, documented in docs/resources.md). Every
problem found while loading is reported as a ``DeckError`` naming the card and what is wrong,
so a facilitator or an IT officer can fix a home-made deck without reading code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rethink_desktop.core.resources import (
    check_format,
    decode_json,
    read_json,
    resource_path,
    shown,
)

FORMAT_NAME = "rethink-cards"
FORMAT_VERSION = 1

ESSENTIALS = (
    "clarity",
    "acknowledgement",
    "validation",
    "safety",
    "inclusion",
    "reassurance",
    "space",
)
PHASES = ("opening", "check-in", "way-forward", "closing", "space")
KINDS = ("prompt", "space", "guide")

MAX_TITLE_LENGTH = 60
MAX_PROMPT_LENGTH = 300
MAX_ID_LENGTH = 64
DEFAULT_LANGUAGE = "en-GB"

# Ids end up in the event log ("card shown"), so they stay short, plain and stable.
_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class DeckError(ValueError):
    """A card deck that cannot be used; the message says which card and why."""


@dataclass(frozen=True, slots=True)
class Card:
    """One prompt card: something to read out, a space to hold, or a note for the facilitator."""

    id: str
    title: str
    prompt: str
    kind: str = "prompt"
    essential: str | None = None
    phase: str | None = None


@dataclass(frozen=True, slots=True)
class Deck:
    """An ordered, validated set of cards."""

    id: str
    title: str
    cards: tuple[Card, ...]
    language: str = DEFAULT_LANGUAGE

    def __len__(self) -> int:
        return len(self.cards)

    def __iter__(self) -> Iterator[Card]:
        return iter(self.cards)

    def __contains__(self, card_id: object) -> bool:
        return any(card.id == card_id for card in self.cards)

    def get(self, card_id: str) -> Card | None:
        """Return the card with this id, or None when the deck has no such card."""
        return next((card for card in self.cards if card.id == card_id), None)

    def by_id(self, card_id: str) -> Card:
        """Return the card with this id; raise KeyError when there is none."""
        card = self.get(card_id)
        if card is None:
            raise KeyError(f"The deck {self.id!r} has no card {card_id!r}.")
        return card

    def index_of(self, card_id: str) -> int:
        """Return the position of a card in the deck; raise KeyError when there is none."""
        for index, card in enumerate(self.cards):
            if card.id == card_id:
                return index
        raise KeyError(f"The deck {self.id!r} has no card {card_id!r}.")

    def for_essential(self, name: str) -> tuple[Card, ...]:
        """Return the cards for one of the seven essentials, in deck order."""
        if name not in ESSENTIALS:
            raise ValueError(
                f"Unknown essential {name!r}; expected one of {', '.join(ESSENTIALS)}."
            )
        return tuple(card for card in self.cards if card.essential == name)

    def for_phase(self, name: str) -> tuple[Card, ...]:
        """Return the cards for one stage of the meeting, in deck order."""
        if name not in PHASES:
            raise ValueError(f"Unknown phase {name!r}; expected one of {', '.join(PHASES)}.")
        return tuple(card for card in self.cards if card.phase == name)

    def of_kind(self, kind: str) -> tuple[Card, ...]:
        """Return the prompts, spaces or facilitator guides, in deck order."""
        if kind not in KINDS:
            raise ValueError(f"Unknown card kind {kind!r}; expected one of {', '.join(KINDS)}.")
        return tuple(card for card in self.cards if card.kind == kind)


def load_default_deck() -> Deck:
    """Load the deck bundled with the app (resources/cards/default.json)."""
    return load_deck(resource_path("cards", "default.json"))


def load_deck(path: str | Path) -> Deck:
    """Read and validate a deck file; raise DeckError, prefixed with the file name, if unusable."""
    path = Path(path)
    obj = read_json(path, missing="the card deck file", noun="a deck", error=DeckError)
    return _named(obj, path.name)


def deck_from_bytes(data: bytes, name: str) -> Deck:
    """``load_deck`` of a file's bytes already read (``name``: the file's, for messages)."""
    return _named(decode_json(data, name, noun="a deck", error=DeckError), name)


def _named(obj: Any, name: str) -> Deck:
    try:
        return parse_deck(obj)
    except DeckError as exc:
        raise DeckError(f"{name}: {exc}") from None


def parse_deck(obj: Any) -> Deck:
    """Build a Deck from decoded JSON, checking every field; raise DeckError on the first fault."""
    if not isinstance(obj, dict):
        raise DeckError("A card deck must be a JSON object with a list of cards.")
    check_format(obj, name=FORMAT_NAME, version=FORMAT_VERSION, what="a card deck", error=DeckError)
    deck_id = obj.get("id")
    if not _is_valid_id(deck_id):
        raise DeckError(
            'The deck needs an "id": letters, digits, dots, hyphens or underscores, '
            f"up to {MAX_ID_LENGTH} characters."
        )
    title = _text(obj.get("title"))
    if not title:
        raise DeckError("The deck needs a title.")
    language = obj.get("language", DEFAULT_LANGUAGE)
    if not isinstance(language, str) or not language.strip():
        raise DeckError('The deck "language" must be a language tag such as "en-GB".')
    raw_cards = obj.get("cards")
    if not isinstance(raw_cards, list):
        raise DeckError('The deck needs a "cards" list.')
    if not raw_cards:
        raise DeckError("The deck has no cards.")

    cards: list[Card] = []
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(raw_cards, start=1):
        card = _parse_card(number, raw)
        if card.id in first_seen:
            raise DeckError(
                f'Card {number} has the id "{card.id}", which card {first_seen[card.id]} '
                "already uses. Each card needs its own id."
            )
        first_seen[card.id] = number
        cards.append(card)
    return Deck(id=deck_id, title=title, cards=tuple(cards), language=language.strip())


def _parse_card(number: int, raw: Any) -> Card:
    if not isinstance(raw, dict):
        raise DeckError(f"Card {number} is not a JSON object.")
    card_id = raw.get("id")
    if not _is_valid_id(card_id):
        raise DeckError(
            f'Card {number} needs an "id": letters, digits, dots, hyphens or underscores, '
            f"up to {MAX_ID_LENGTH} characters."
        )
    label = f'Card {number} ("{card_id}")'

    title = _text(raw.get("title"))
    if not title:
        raise DeckError(f"{label} needs a title.")
    if len(title) > MAX_TITLE_LENGTH:
        raise DeckError(
            f"{label} has a title of {len(title)} characters; "
            f"the most is {MAX_TITLE_LENGTH}, so it fits the card's heading on your laptop "
            "(the room display shows only the prompt)."
        )
    prompt = _text(raw.get("prompt"))
    if not prompt:
        raise DeckError(f"{label} needs a prompt.")
    if len(prompt) > MAX_PROMPT_LENGTH:
        raise DeckError(
            f"{label} has a prompt of {len(prompt)} characters; the most is "
            f"{MAX_PROMPT_LENGTH}. Keep it to one or two sentences that can be read aloud."
        )

    kind = raw.get("kind", "prompt")
    if kind not in KINDS:
        raise DeckError(f"{label} has an unknown kind {shown(kind)}; use {_choices(KINDS)}.")
    essential = raw.get("essential")
    if essential is not None and essential not in ESSENTIALS:
        raise DeckError(
            f"{label} has an unknown essential {shown(essential)}; use {_choices(ESSENTIALS)}."
        )
    phase = raw.get("phase")
    if phase is not None and phase not in PHASES:
        raise DeckError(f"{label} has an unknown phase {shown(phase)}; use {_choices(PHASES)}.")
    if essential is None and phase is None:
        raise DeckError(f"{label} needs an essential, a phase, or both, so it can be found.")
    return Card(id=card_id, title=title, prompt=prompt, kind=kind, essential=essential, phase=phase)


def _is_valid_id(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= MAX_ID_LENGTH
        and _ID_PATTERN.fullmatch(value) is not None
    )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(f'"{value}"' for value in values)
