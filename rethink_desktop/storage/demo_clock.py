"""Where the demo's fast clock stood, so a demo reopened after a restart goes on from there.

A demo run with ``--speed N`` records its events in scaled time, ahead of the real time. The
log alone says when the last event was, not how far the clock ran on after it (a trainer
showing a crash kills the app mid-turn). So when a demo session is opened, the scaled
clock's reading (``ScaledClock.reading``: a real moment, the scaled moment it showed then,
and the speed) is written beside the demo records as ``demo-clock.json``; reopened, the
session's clock catches up with where that reading has run on to by now.

The file holds no names and nothing said, only a session id, two moments and a speed; it
is a convenience: missing or unreadable, the clock goes on from the session's last event.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path

from rethink_desktop.core.clock import format_timestamp, parse_timestamp

log = logging.getLogger(__name__)

Reading = tuple[datetime, datetime, float]


def clock_file(database: Path) -> Path:
    """``demo-clock.json`` beside ``demo.sqlite`` (named after the records file)."""
    return database.with_name(f"{database.stem}-clock.json")


def save(path: Path, session_id: str, reading: Reading) -> None:
    """Write the reading for ``session_id`` (replacing any other); a failure is logged only."""
    real, scaled, speed = reading
    text = json.dumps(
        {
            "session_id": session_id,
            "real": format_timestamp(real),
            "scaled": format_timestamp(scaled),
            "speed": speed,
        }
    )
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        log.warning("demo clock not noted: %s", type(exc).__name__)
        temporary.unlink(missing_ok=True)


def load(path: Path, session_id: str) -> Reading | None:
    """The reading noted for ``session_id``, or None (none, another session's, unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("session_id") != session_id:
            return None
        speed = float(data["speed"])
        if not 0 < speed <= 1000:
            return None
        return parse_timestamp(data["real"]), parse_timestamp(data["scaled"]), speed
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
