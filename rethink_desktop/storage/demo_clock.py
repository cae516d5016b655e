"""Where the demo's fast clock stood, so a demo reopened after a restart goes on from there.

A demo run with ``--speed N`` records its events in scaled time, ahead of the real time. The
log alone says when the last event was, not how far the clock ran on after it (a trainer
showing a crash kills the app mid-turn). So while a demo meeting runs, the scaled clock's
reading (``ScaledClock.reading``: a real moment and what the clock showed at it) is written
beside the demo records as ``demo-clock.json``, up to ten times a real second; reopened while
still running, the meeting's clock goes on from there, with the time the app was closed
counted at the speed it is reopened at.

The file holds no names and nothing said, only a session id and two moments; it is a
convenience: missing or unreadable, the clock goes on from the session's last event.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from datetime import datetime
from pathlib import Path

from rethink_desktop.core.clock import format_timestamp, parse_timestamp

log = logging.getLogger(__name__)

Reading = tuple[datetime, datetime]
_failed: set[str] = set()  # each reason a note could not be written, warned about once


def clock_file(database: Path) -> Path:
    """``demo-clock.json`` beside ``demo.sqlite`` (named after the records file)."""
    return database.with_name(f"{database.stem}-clock.json")


def save(path: Path, session_id: str, reading: Reading) -> None:
    """Write the reading for ``session_id`` (replacing any other); a failure is logged only."""
    real, scaled = reading
    text = json.dumps(
        {
            "session_id": session_id,
            "real": format_timestamp(real),
            "scaled": format_timestamp(scaled),
        }
    )
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        # Said once a run: it is tried ten times a second while a demo meeting runs.
        why = type(exc).__name__
        (log.debug if why in _failed else log.warning)("demo clock not noted: %s", why)
        _failed.add(why)
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def load(path: Path, session_id: str) -> Reading | None:
    """The reading noted for ``session_id``, or None (none, another session's, unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("session_id") != session_id:
            return None
        return parse_timestamp(data["real"]), parse_timestamp(data["scaled"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
