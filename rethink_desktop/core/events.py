"""Typed session events: every change to a session is one of these, stamped in UTC."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rethink_desktop.core.clock import format_timestamp, parse_timestamp

# Every kind the reducer understands, with the keys its data must carry.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "created": ("session_id", "demo"),
    "prepared": ("kind", "reference", "participants", "phases"),
    "checked_in": ("present",),
    "started": (),
    "next": (),
    "pass": (),
    "pick": ("participant_id",),
    "undo": (),
    "redo": (),
    "phase": (),
    "paused": (),
    "resumed": (),
    "space_started": (),
    "space_ended": (),
    "card_shown": ("card_id",),
    "arrived": ("participant_id",),
    "left": ("participant_id",),
    "returned": ("participant_id",),
    "arrival_withdrawn": ("participant_id",),
    "ended": (),
    "way_forward": ("value",),
    "pulse": ("moment", "value"),
    "rating": (),
    "completed": (),
    "abandoned": ("reason",),
    "names_removed": (),
    # A finished session recorded on another machine, as its export (format v1) object.
    "imported": ("format_version", "session"),
}

# Actions that Ctrl+Z can take back: the rotation and the agenda, where slips happen.
UNDOABLE = frozenset({"next", "pass", "pick", "phase"})
# Actions after which nothing undone can be redone: a new undoable step, and taking back a
# late arrival (a redone rotation step could hand them the floor again).
ENDS_REDO = UNDOABLE | {"arrival_withdrawn"}


class EventError(ValueError):
    """An event that is malformed (unknown kind, missing data)."""


@dataclass(frozen=True)
class Event:
    """One thing that happened to a session, at a UTC moment."""

    kind: str
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in EVENT_FIELDS:
            raise EventError(f"Unknown event kind {self.kind!r}.")
        missing = [key for key in EVENT_FIELDS[self.kind] if key not in self.data]
        if missing:
            raise EventError(f"Event {self.kind!r} is missing {', '.join(missing)}.")
        if self.at.tzinfo is None:
            raise EventError("Event times must be timezone-aware (UTC).")

    def data_json(self) -> str:
        return json.dumps(self.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def to_row(self, session_id: str) -> dict[str, Any]:
        return {
            "session_id": session_id,
            "kind": self.kind,
            "at": format_timestamp(self.at),
            "data": self.data_json(),
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Event:
        return cls(row["kind"], parse_timestamp(row["at"]), json.loads(row["data"] or "{}"))
