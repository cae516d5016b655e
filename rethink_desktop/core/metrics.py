"""Balance of voice: talk time, turns and passes by person and by agency.

The balance index is ``1 - D / D_max`` where ``D = ½ Σ |sᵢ - 1/n|`` is the distance between
the actual shares of talk time ``sᵢ`` and an equal share ``1/n`` among the ``n`` people who
attended, and ``D_max = 1 - 1/n`` is that distance when one person does all the talking.
1.0 means perfectly equal; 0.0 means one voice only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rethink_desktop.core.state import RATING_FIELDS, SessionState

ATTENDANCE_KINDS = ("present", "late", "left_early", "late_left_early", "absent")


@dataclass(frozen=True)
class Tally:
    """Talk time and turns for one person or one agency."""

    key: str
    label: str
    agency: str
    people: int
    seconds: float
    turns: int
    passes: int
    share: float
    equal_share: float


def balance_index(seconds: Sequence[float]) -> float | None:
    """1.0 for perfectly equal talk time, 0.0 for one voice; None before anyone has spoken."""
    n = len(seconds)
    total = sum(seconds)
    if n == 0 or total <= 0:
        return None
    if n == 1:
        return 1.0
    distance = 0.5 * sum(abs(s / total - 1 / n) for s in seconds)
    return max(0.0, min(1.0, 1 - distance / (1 - 1 / n)))


def tally_people(state: SessionState, now: datetime) -> list[Tally]:
    """One row per person who attended, in seating order, each labelled as the screens name
    them (:meth:`SessionState.known_as`: two people with one name are told apart by role)."""
    people = state.attended()
    seconds = {p.id: 0.0 for p in people}
    turns = dict.fromkeys(seconds, 0)
    passes = dict.fromkeys(seconds, 0)
    silent = state.silent_spans(now)
    for turn in state.turns:
        pid = turn.participant_id
        if pid not in seconds:
            continue
        if turn.passed:
            passes[pid] += 1
            continue
        turns[pid] += 1
        if silent:
            seconds[pid] += state.turn_seconds(turn, now, silent)
        else:  # as turn_seconds with nothing to leave out; this runs on every key press
            start, end = turn.started_at, turn.ended_at or now
            if end > start:
                seconds[pid] += (end - start).total_seconds()
    total = sum(seconds.values())
    equal = 1 / len(people) if people else 0.0
    labels = state.labels()
    return [
        Tally(
            p.id,
            labels[p.id],
            p.agency,
            1,
            seconds[p.id],
            turns[p.id],
            passes[p.id],
            seconds[p.id] / total if total else 0.0,
            equal,
        )
        for p in people
    ]


def tally_agencies(
    state: SessionState, now: datetime, people: list[Tally] | None = None
) -> list[Tally]:
    """One row per agency; its equal share is its head-count share of the room.

    ``people`` (from :func:`tally_people`) saves computing the per-person rows again.
    """
    rows: dict[str, list[Tally]] = {}
    for row in people if people is not None else tally_people(state, now):
        rows.setdefault(row.agency, []).append(row)
    n = sum(len(v) for v in rows.values())
    total = sum(r.seconds for v in rows.values() for r in v)
    return [
        Tally(
            agency,
            agency,
            agency,
            len(members),
            sum(m.seconds for m in members),
            sum(m.turns for m in members),
            sum(m.passes for m in members),
            sum(m.seconds for m in members) / total if total else 0.0,
            len(members) / n if n else 0.0,
        )
        for agency, members in rows.items()
    ]


def session_balance(state: SessionState, now: datetime) -> float | None:
    return balance_index([row.seconds for row in tally_people(state, now)])


def fair_share_now(state: SessionState, now: datetime) -> tuple[float, int] | None:
    """Time left in the phase ÷ people still to speak this round: the speaker, those the
    rotation has still to reach, and the second chances still due (the round's last speaker
    was offered the whole phase while a passer's second chance was still to come)."""
    speaking = state.current_turn is not None
    due = []
    if state.rotation is not None:
        due = state.rotation.second_chances_due(state.in_room_ids(), spoken=speaking)
    waiting = len(state.still_to_speak()) + len(due) + (1 if speaking else 0)
    if waiting == 0 or state.phase is None:
        return None
    return max(0.0, state.phase_remaining(now)) / waiting, waiting


# --- per-session figures stored with the derived rows (storage/eventlog, the importer) ----
def talk_balance(
    attended: Sequence[str], turns: Iterable[tuple[str, float | None, bool]]
) -> float | None:
    """Balance index of talk time among ``attended`` (ids in seating order).

    ``turns`` are ``(participant_id, seconds, passed)`` in order; passes, running turns
    (no seconds yet) and people who did not attend do not count. Rounded to 6 places so
    the event log and a rebuild from the tables agree exactly.
    """
    talk = dict.fromkeys(attended, 0.0)
    for pid, seconds, passed in turns:
        if not passed and seconds is not None and pid in talk:
            talk[pid] += seconds
    value = balance_index(list(talk.values()))
    return None if value is None else round(value, 6)


FIGURE_COLUMNS = (
    "invited", *ATTENDANCE_KINDS, "ratings",
    *(f"{name}_{part}" for name in RATING_FIELDS for part in ("sum", "n")),
)  # fmt: skip


def figures_row(
    session_id: str, participants: Sequence[Mapping[str, Any]], ratings: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The ``session_figures`` row of one session, from its participant and rating rows."""
    row: dict[str, Any] = {"session_id": session_id, **dict.fromkeys(FIGURE_COLUMNS, 0)}
    row["invited"] = len(participants)
    for person in participants:
        if person["attendance"] in ATTENDANCE_KINDS:
            row[person["attendance"]] += 1
    row["ratings"] = len(ratings)
    for rating in ratings:
        for name in RATING_FIELDS:
            if rating[name] is not None:
                row[f"{name}_sum"] += rating[name]
                row[f"{name}_n"] += 1
    return row


def decimal_text(value: float, places: int = 1) -> str:
    """``value`` to ``places`` decimals, a half always rounded up, as people do: an average
    rating of 3.25 reads 3.3 and 3.75 reads 3.8 (Python's own rounding gave 3.2 and 3.8)."""
    step = Decimal(1).scaleb(-places)
    rounded = Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)
    return str(abs(rounded) if rounded == 0 else rounded)  # never "-0.0"
