"""Checks on what a facilitator types when preparing a session, with messages to show inline."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rethink_desktop.core.state import MAX_PARTICIPANTS, MIN_PARTICIPANTS

REFERENCE_MAX = 24
PURPOSE_MAX = 120
VENUE_MAX = 80
NAME_MAX = 60
AGENCY_MAX = 40
ROLE_MAX = 40
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]*$")

DEFAULT_AGENCIES = (
    "Children's social care",
    "Education",
    "Health",
    "Police",
    "Early help",
    "Housing",
    "Probation",
    "Adult mental health",
    "Substance use service",
    "Voluntary sector",
    "Local authority legal",
    "Youth justice",
)


@dataclass(frozen=True)
class Problem:
    """One thing to fix, and where: ``field`` is e.g. "reference" or "participants[2].name"."""

    field: str
    message: str


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())


def reference_problems(reference: str) -> list[Problem]:
    ref = _clean(reference)
    if not ref:
        return [Problem("reference", "Enter a reference code, for example FN-2291.")]
    if len(ref) > REFERENCE_MAX:
        return [Problem("reference", f"Keep the reference to {REFERENCE_MAX} characters.")]
    if not _REFERENCE.match(ref) or not any(ch.isdigit() for ch in ref):
        return [
            Problem(
                "reference",
                "Use a case reference with at least one digit and no spaces (for example "
                "FN-2291) — never a child's or family's name.",
            )
        ]
    return []


_COUNT_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


def participant_problems(
    people: Sequence[Mapping[str, Any]], *, names_removed: bool = False
) -> list[Problem]:
    """Empty names, duplicates without a distinguishing role, too few or too many people.

    ``names_removed``: a name that is None was removed after the session (a finished one, as
    imported) and is not checked; an empty one still is.
    """
    problems: list[Problem] = []
    if len(people) < MIN_PARTICIPANTS:
        problems.append(Problem("participants", f"Add at least {MIN_PARTICIPANTS} participants."))
    if len(people) > MAX_PARTICIPANTS:
        problems.append(
            Problem(
                "participants",
                f"A Re-Think circle has at most {MAX_PARTICIPANTS} people; "
                f"this one has {len(people)}.",
            )
        )
    # Each person's cleaned texts, and None for a name removed (not checked).
    texts = [
        (
            None if names_removed and p.get("name") is None else _clean(p.get("name")),
            _clean(p.get("agency")),
            _clean(p.get("role")),
        )
        for p in people
    ]
    keys = Counter(
        (name.casefold(), role.casefold()) for name, _, role in texts if name is not None
    )
    for seat, (name, agency, role) in enumerate(texts, start=1):
        where = f"participants[{seat}]"
        if name is None:
            pass  # removed after the session: nothing to check
        elif not name:
            problems.append(Problem(f"{where}.name", f"Seat {seat} needs a name."))
        elif len(name) > NAME_MAX:
            problems.append(Problem(f"{where}.name", f"Seat {seat}: keep the name short."))
        elif (same := keys[(name.casefold(), role.casefold())]) > 1:
            count = _COUNT_WORDS.get(same, str(same))
            problems.append(
                Problem(
                    f"{where}.role",
                    f"Seat {seat}: {count} people are called {name}"
                    + (" with the same role" if role else "")
                    + ". Give each a different role so the circle can tell them apart.",
                )
            )
        if not agency:
            problems.append(Problem(f"{where}.agency", f"Seat {seat} needs an agency."))
        elif len(agency) > AGENCY_MAX:
            problems.append(Problem(f"{where}.agency", f"Seat {seat}: shorten the agency."))
        if len(role) > ROLE_MAX:
            problems.append(Problem(f"{where}.role", f"Seat {seat}: shorten the role."))
    return problems


def details_problems(purpose: str, venue: str) -> list[Problem]:
    problems = []
    if len(_clean(purpose)) > PURPOSE_MAX:
        problems.append(
            Problem(
                "purpose",
                f"Keep the purpose to one short line ({PURPOSE_MAX} characters). "
                "It is not a place for notes.",
            )
        )
    if len(_clean(venue)) > VENUE_MAX:
        problems.append(Problem("venue", f"Keep the venue to {VENUE_MAX} characters."))
    return problems


def clean_text(value: Any) -> str:
    """Trim and collapse whitespace, as stored."""
    return _clean(value)
