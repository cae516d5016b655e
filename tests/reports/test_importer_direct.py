"""The importer's direct path gives exactly the rows of the full path, or steps aside.

For a session in this app's export form, ``_direct_rows`` builds the derived rows without
reducing the ``imported`` event. These tests hold it to the full path (reduce, derive,
compare with the file) on real sessions and on many small changes to them: wherever the
direct path returns rows, the full path accepts the session and gives the same rows, value
for value and type for type; wherever the full path refuses, the direct path stepped aside.
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from benchmarks.generate import generate
from rethink_desktop.core.clock import FakeClock, format_timestamp
from rethink_desktop.reports.exports import export
from rethink_desktop.reports.importer import (
    ImportFileError,
    _direct_rows,
    _event_data,
    _full_rows,
    _stored_person,
)
from rethink_desktop.storage.eventlog import EventStore
from tests.reports.test_exports import finished_session

AT = datetime(2030, 1, 1, 12, tzinfo=UTC)
STAMP = format_timestamp(AT)


@pytest.fixture(scope="module")
def sessions(tmp_path_factory) -> list[dict[str, Any]]:
    """Finished sessions as exported: generated ones (turns, passes, picks, pauses, spaces,
    cards, ratings, late arrivals, early leavers, abandoned ones) and a small one by hand."""
    folder = tmp_path_factory.mktemp("direct")
    with EventStore.open(folder / "rethink.sqlite") as store:
        finished_session(store, FakeClock())
        generate(store, sessions=24, seed=11, processes=1)
        export(store.db, "json", folder / "out.json")
    found = json.loads((folder / "out.json").read_text())["sessions"]
    return [s for s in found if s["status"] in ("completed", "abandoned")]


def stored_of(session: dict[str, Any], keep_names: bool) -> dict[str, Any]:
    stored = dict(session)
    if isinstance(stored.get("participants"), list):
        stored["participants"] = [_stored_person(p, keep_names) for p in stored["participants"]]
    return stored


def typed(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows with each value's type beside it, so 1 and True (or 1 and 1.0) differ."""
    return {t: [tuple((type(v), v) for v in row) for row in rs] for t, rs in rows.items()}


def both_paths(session: dict[str, Any], keep_names: bool) -> tuple[Any, Any]:
    direct = _direct_rows(session, keep_names, STAMP, AT)
    try:
        full, _ = _full_rows(session, stored_of(session, keep_names), AT, 1)
    except ImportFileError:
        full = None
    return direct, full


def check(session: dict[str, Any], keep_names: bool) -> bool:
    """The property; True when the direct path took the session."""
    direct, full = both_paths(session, keep_names)
    if direct is not None:
        assert full is not None, "the direct path took a session the full path refuses"
        assert typed(direct) == typed(full)
    return direct is not None


def test_every_generated_session_goes_the_direct_way_with_the_same_rows(sessions):
    assert len(sessions) > 20
    assert any(s["status"] == "abandoned" for s in sessions)
    assert any(s["spaces"] for s in sessions)
    assert any(s["pauses"] for s in sessions)
    for session in sessions:
        for keep_names in (True, False):
            assert check(session, keep_names)


def test_the_event_data_reusing_the_file_text_is_the_stored_session(sessions):
    for session in sessions[:6]:
        text = json.dumps(session, ensure_ascii=False)  # as the export writes it
        for keep_names in (True, False):
            stored = stored_of(session, keep_names)
            data = json.loads(_event_data(text, stored))
            assert data == {"format_version": 1, "session": stored}
            assert all("label" not in p for p in data["session"]["participants"])
    # Escapes in the text, or a second "participants": encoded from the session instead.
    odd = {**sessions[0], "purpose": 'The "participants" say \\ this'}
    stored = stored_of(odd, False)
    data = _event_data(json.dumps(odd, ensure_ascii=False), stored)
    assert json.loads(data) == {"format_version": 1, "session": stored}
    twice = {**sessions[0], "venue": "participants"}
    stored = stored_of(twice, True)
    data = _event_data(json.dumps(twice, ensure_ascii=False), stored)
    assert json.loads(data) == {"format_version": 1, "session": stored}


# --- small changes to a session, each to one field ----------------------------------------

Change = Callable[[dict[str, Any]], None]


def _turn(s: dict[str, Any], key: str, value: Any) -> None:
    ended = [t for t in s["turns"] if t["ended_at"] is not None]
    ended[len(ended) // 2][key] = value


def _first(s: dict[str, Any], listed: str, key: str, value: Any) -> None:
    s[listed][0][key] = value


def _shift(text: str, seconds: float) -> str:
    moment = datetime.fromisoformat(text) + timedelta(seconds=seconds)
    return format_timestamp(moment)


def _pause_in_a_turn(s: dict[str, Any]) -> None:
    """Two seconds of pause inside a long turn: its talk time is two seconds less."""
    turn = next(t for t in s["turns"] if t["seconds"] and t["seconds"] > 5)
    start = _shift(turn["started_at"], 1)
    s["pauses"].append({"started_at": start, "ended_at": _shift(start, 2), "seconds": 2.0})
    s["pauses"].sort(key=lambda p: p["started_at"])
    turn["seconds"] = round(turn["seconds"] - 2, 6)


def _pop(s: dict[str, Any], listed: str, key: str) -> None:
    s[listed][0].pop(key)


CHANGES: dict[str, Change] = {
    "nothing": lambda s: None,
    "demo 0": lambda s: s.update(demo=0),
    "demo null": lambda s: s.update(demo=None),
    "second_chance 1": lambda s: s.update(second_chance=1),
    "second_chance text": lambda s: s.update(second_chance="yes"),
    "kind unknown": lambda s: s.update(kind="picnic"),
    "kind a list": lambda s: s.update(kind=["thematic"]),
    "reference a number": lambda s: s.update(reference=2291),
    "purpose null": lambda s: s.update(purpose=None),
    "scheduled_for set": lambda s: s.update(scheduled_for="2026-03-02T09:30"),
    "template_id null": lambda s: s.update(template_id=None),
    "planned_minutes off by one": lambda s: s.update(planned_minutes=s["planned_minutes"] + 1),
    "planned_minutes a float": lambda s: s.update(planned_minutes=float(s["planned_minutes"])),
    "created_at +00:00": lambda s: s.update(created_at=s["created_at"][:-1] + "+00:00"),
    "created_at +01:00": lambda s: s.update(created_at=s["created_at"][:-1] + "+01:00"),
    "created_at no fraction": lambda s: s.update(created_at=s["created_at"][:19] + "Z"),
    "created_at space": lambda s: s.update(created_at=s["created_at"].replace("T", " ")),
    "created_at year 999": lambda s: s.update(created_at="0999" + s["created_at"][4:]),
    "created_at 30 February": lambda s: s.update(created_at="2023-02-30T10:00:00.000000Z"),
    "created_at hour 24": lambda s: s.update(created_at="2023-02-03T24:00:00.000000Z"),
    "created_at a number": lambda s: s.update(created_at=5),
    "created_at missing": lambda s: s.pop("created_at"),
    "checked_in_at missing": lambda s: s.pop("checked_in_at"),
    "abandoned_at missing": lambda s: s.pop("abandoned_at"),
    "started_at missing": lambda s: s.pop("started_at"),
    "completed_at null": lambda s: s.update(completed_at=None),
    "ended_at 7 digits": lambda s: s.update(ended_at=(s["ended_at"] or "")[:-1] + "1Z"),
    "an extra field": lambda s: s.update(added_later={"participants": []}),
    "abandoned_reason when completed": lambda s: s.update(abandoned_reason="cancelled"),
    "status abandoned": lambda s: s.update(status="abandoned", abandoned_reason="interrupted"),
    "abandoned with an odd reason": lambda s: s.update(status="abandoned", abandoned_reason="x"),
    "way_forward odd": lambda s: s.update(way_forward="maybe"),
    "way_forward null": lambda s: s.update(way_forward=None),
    "pulse 11": lambda s: s.update(pulse={"start": 11, "end": None}),
    "pulse true": lambda s: s.update(pulse={"start": True, "end": 2}),
    "pulse 2.0": lambda s: s.update(pulse={"start": 2.0, "end": 2}),
    "pulse extra key": lambda s: s.update(pulse={"start": 2, "end": 2, "middle": 3}),
    "participants reversed": lambda s: s["participants"].reverse(),
    "two on one seat": lambda s: _first(s, "participants", "seat", s["participants"][1]["seat"]),
    "seat 0": lambda s: _first(s, "participants", "seat", 0),
    "seat true": lambda s: _first(s, "participants", "seat", True),
    "participant without label": lambda s: _pop(s, "participants", "label"),
    "participant without name": lambda s: _pop(s, "participants", "name"),
    "participant extra key": lambda s: _first(s, "participants", "phone", "none"),
    "participant name null": lambda s: _first(s, "participants", "name", None),
    "participant name number": lambda s: _first(s, "participants", "name", 7),
    "attendance odd": lambda s: _first(s, "participants", "attendance", "asleep"),
    "attendance expected": lambda s: _first(s, "participants", "attendance", "expected"),
    "same participant id": lambda s: _first(s, "participants", "id", s["participants"][1]["id"]),
    "arrived_at odd": lambda s: _first(s, "participants", "arrived_at", "yesterday"),
    "one participant": lambda s: s.update(participants=s["participants"][:1], turns=[]),
    "phase index 1.0": lambda s: _first(s, "phases", "index", 0.0),
    "phase without card": lambda s: _pop(s, "phases", "opening_card"),
    "phase minutes 0": lambda s: _first(s, "phases", "planned_minutes", 0),
    "phase allowance odd": lambda s: _first(s, "phases", "turn_seconds", 10),
    "no phases": lambda s: s.update(phases=[]),
    "turn passed 1": lambda s: _turn(s, "passed", 1),
    "turn picked text": lambda s: _turn(s, "picked", "no"),
    "turn without second_chance": lambda s: s["turns"][0].pop("second_chance"),
    "turn extra key": lambda s: _turn(s, "said", "nothing"),
    "turn phase true": lambda s: _turn(s, "phase", True),
    "turn phase too big": lambda s: _turn(s, "phase", 12),
    "turn round 0": lambda s: _turn(s, "round", 0),
    "turn someone else": lambda s: _turn(s, "participant_id", "nobody"),
    "turn seconds + 0.0004": lambda s: [
        t.update(seconds=t["seconds"] + 0.0004) for t in s["turns"] if t["seconds"]
    ],
    "turn seconds rounded": lambda s: [
        t.update(seconds=round(t["seconds"], 3)) for t in s["turns"] if t["seconds"]
    ],
    "turn seconds + 0.01": lambda s: [
        t.update(seconds=t["seconds"] + 0.01) for t in s["turns"][:1] if t["seconds"]
    ],
    "turn seconds whole": lambda s: [
        t.update(seconds=int(t["seconds"])) for t in s["turns"][:1] if t["seconds"]
    ],
    "turn seconds nan": lambda s: _turn(s, "seconds", float("nan")),
    "turn seconds null": lambda s: _turn(s, "seconds", None),
    "turn still running": lambda s: s["turns"][-1].update(ended_at=None, seconds=None),
    "turn ends before it starts": lambda s: s["turns"][0].update(
        ended_at=_shift(s["turns"][0]["started_at"], -5), seconds=0.0
    ),
    "turn started_at +00:00": lambda s: s["turns"][0].update(
        started_at=s["turns"][0]["started_at"][:-1] + "+00:00"
    ),
    "a turn a list": lambda s: s["turns"].append(["x"] * 9),
    "turns null": lambda s: s.update(turns=None),
    "pause left open": lambda s: s["pauses"].append(
        {"started_at": s["turns"][-1]["ended_at"], "ended_at": None, "seconds": None}
    ),
    "pause across a turn": lambda s: _pause_in_a_turn(s),
    "pause seconds wrong": lambda s: s["pauses"].append(
        {
            "started_at": s["created_at"],
            "ended_at": _shift(s["created_at"], 10),
            "seconds": 11.0,
        }
    ),
    "space seconds whole": lambda s: s["spaces"].append(
        {"started_at": s["created_at"], "ended_at": _shift(s["created_at"], 10), "seconds": 10}
    ),
    "space extra key": lambda s: s["spaces"].append(
        {"started_at": s["created_at"], "ended_at": None, "seconds": None, "x": 1}
    ),
    "card phase 13": lambda s: s["cards_shown"].append(
        {"card_id": "x", "phase": 13, "shown_at": s["created_at"]}
    ),
    "card id a number": lambda s: s["cards_shown"].append(
        {"card_id": 3, "phase": 0, "shown_at": s["created_at"]}
    ),
    "card shown_at null": lambda s: s["cards_shown"].append(
        {"card_id": "x", "phase": 0, "shown_at": None}
    ),
    "rating 0": lambda s: s["ratings"].append(
        {"communication": 0, "compassion": 1, "clarity": 1, "heard": 1}
    ),
    "rating true": lambda s: s["ratings"].append(
        {"communication": True, "compassion": 1, "clarity": 1, "heard": 1}
    ),
    "rating skipped": lambda s: s["ratings"].append(
        {"communication": None, "compassion": None, "clarity": 5, "heard": 1}
    ),
    "more ratings than people": lambda s: s["ratings"].extend(
        [{"communication": 3, "compassion": 3, "clarity": 3, "heard": 3}] * 31
    ),
}


@pytest.mark.parametrize("name", CHANGES)
def test_a_changed_session_gets_the_same_rows_or_the_full_path(sessions, name):
    took = refused = 0
    for session in sessions[::3]:
        changed = copy.deepcopy(session)
        try:
            CHANGES[name](changed)
        except (IndexError, KeyError, AttributeError, StopIteration):
            continue  # the change does not apply to this session (no turns, say)
        for keep_names in (True, False):
            if check(changed, keep_names):
                took += 1
            elif both_paths(changed, keep_names)[1] is None:
                refused += 1
    # Changes the full path accepts as they are are still taken the direct way.
    if name in ("nothing", "checked_in_at missing", "abandoned_at missing", "an extra field"):
        assert took
        assert not refused
    if name in ("pause left open", "pause across a turn", "turn still running"):
        assert took


def test_random_changes_keep_the_property(sessions):
    """Many sessions with a few random changes at once, from the list above."""
    rng = random.Random(4)
    names = list(CHANGES)
    for _ in range(150):
        changed = copy.deepcopy(rng.choice(sessions))
        for name in rng.sample(names, rng.randint(1, 3)):
            with contextlib.suppress(
                LookupError, AttributeError, TypeError, ValueError, StopIteration
            ):
                CHANGES[name](changed)
        check(changed, rng.random() < 0.5)


def test_rounding_a_talk_time_to_microseconds_changes_nothing_below_2_to_the_32():
    """Why the direct path may skip ``round(…, 6)`` for a turn with no silence in it."""
    rng = random.Random(1)
    for _ in range(200_000):
        micro = rng.randrange(1, 2**32 * 10**6)
        seconds = timedelta(microseconds=micro).total_seconds()
        assert round(seconds, 6) == seconds
    for micro in (1, 999_999, 10**6, 4 * 10**15 + 1, 2**32 * 10**6 - 1):
        seconds = timedelta(microseconds=micro).total_seconds()
        assert round(seconds, 6) == seconds
