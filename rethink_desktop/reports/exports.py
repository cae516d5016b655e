"""JSON and CSV exports of session records (docs/export-format.md); one path for app and CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlite_utils import Database

from rethink_desktop.core.clock import SystemClock, format_timestamp
from rethink_desktop.storage.records import count_sessions, iter_session_records

FORMAT_NAME = "rethink-sessions"
FORMAT_VERSION = 1
FORMATS = ("json", "csv", "pdf")

Progress = Callable[[int, int], bool]
"""Called with (done, total); return False to cancel."""


class ExportCancelled(Exception):
    """The user cancelled a long export; no file was written."""


def _utc(value: str | None) -> str | None:
    """Timestamps in the database are already ISO 8601 UTC with a trailing Z."""
    return value


def anonymous_label(agency: str, role: str) -> str:
    return f"{agency} · {role}" if role else agency


def session_to_json(record: dict[str, Any], *, anonymise: bool = False) -> dict[str, Any]:
    """One session in export format v1."""
    return {
        "id": record["id"],
        "kind": record["kind"],
        "reference": record["reference"],
        "purpose": record["purpose"],
        "venue": record["venue"],
        "scheduled_for": record["scheduled_for"],
        "status": record["status"],
        "demo": bool(record["demo"]),
        "planned_minutes": record["planned_minutes"],
        "template_id": record["template_id"],
        "second_chance": bool(record["second_chance"]),
        "created_at": _utc(record["created_at"]),
        "checked_in_at": _utc(record["checked_in_at"]),
        "started_at": _utc(record["started_at"]),
        "ended_at": _utc(record["ended_at"]),
        "completed_at": _utc(record["completed_at"]),
        "abandoned_at": _utc(record["abandoned_at"]),
        "abandoned_reason": record["abandoned_reason"],
        "way_forward": record["way_forward"],
        "pulse": {"start": record["pulse_start"], "end": record["pulse_end"]},
        "participants": [
            {
                "id": p["id"],
                "seat": p["seat"],
                "name": None if anonymise else p["name"],
                "agency": p["agency"],
                "role": p["role"],
                "label": anonymous_label(p["agency"], p["role"])
                if anonymise or p["name"] is None
                else p["name"],
                "attendance": p["attendance"],
                "arrived_at": p["arrived_at"],
                "left_at": p["left_at"],
            }
            for p in record["participants"]
        ],
        "phases": [
            {
                "index": ph["idx"],
                "name": ph["name"],
                "planned_minutes": ph["planned_minutes"],
                "turn_seconds": ph["turn_seconds"],
                "opening_card": ph["opening_card"],
                "started_at": ph["started_at"],
                "ended_at": ph["ended_at"],
            }
            for ph in record["phases"]
        ],
        "turns": [
            {
                "participant_id": t["participant_id"],
                "phase": t["phase_idx"],
                "round": t["round"],
                "started_at": t["started_at"],
                "ended_at": t["ended_at"],
                "seconds": t["seconds"],
                "passed": bool(t["passed"]),
                "picked": bool(t["picked"]),
                "second_chance": bool(t["second_chance"]),
            }
            for t in record["turns"]
        ],
        "cards_shown": [
            {"card_id": c["card_id"], "phase": c["phase_idx"], "shown_at": c["shown_at"]}
            for c in record["cards_shown"]
        ],
        "ratings": [
            {k: r[k] for k in ("communication", "compassion", "clarity", "heard")}
            for r in record["ratings"]
        ],
        "pauses": [_interval(i) for i in record["intervals"] if i["kind"] == "pause"],
        "spaces": [_interval(i) for i in record["intervals"] if i["kind"] == "space"],
    }


def _interval(row: dict[str, Any]) -> dict[str, Any]:
    return {"started_at": row["started_at"], "ended_at": row["ended_at"], "seconds": row["seconds"]}


def _records(
    db: Database, include_demo: bool, progress: Progress | None
) -> Iterator[dict[str, Any]]:
    total = count_sessions(db, include_demo=include_demo)
    for done, record in enumerate(iter_session_records(db, include_demo=include_demo), start=1):
        yield record
        if progress is not None and not progress(done, total):
            raise ExportCancelled


def write_json(
    db: Database,
    out: IO[str],
    *,
    anonymise: bool = False,
    include_demo: bool = False,
    exported_at: datetime | None = None,
    progress: Progress | None = None,
) -> int:
    """Stream the export to ``out`` one session at a time; return the number of sessions."""
    stamp = format_timestamp(exported_at or SystemClock().now())
    header = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "exported_at": stamp}
    head = json.dumps(header, indent=2, ensure_ascii=False)
    out.write(head[:-2] + ',\n  "sessions": [')
    n = 0
    for record in _records(db, include_demo, progress):
        body = json.dumps(session_to_json(record, anonymise=anonymise), ensure_ascii=False)
        out.write(("\n    " if n == 0 else ",\n    ") + body)
        n += 1
    out.write("\n  ]\n}\n" if n else "]\n}\n")
    return n


CSV_TABLES: dict[str, tuple[str, ...]] = {
    "sessions": (
        "id", "kind", "reference", "purpose", "venue", "scheduled_for", "status", "demo",
        "planned_minutes", "template_id", "created_at", "started_at", "ended_at", "completed_at",
        "abandoned_reason", "way_forward", "pulse_start", "pulse_end",
    ),
    "participants": (
        "session_id", "id", "seat", "name", "agency", "role", "attendance", "arrived_at", "left_at",
    ),
    "phases": (
        "session_id", "idx", "name", "planned_minutes", "turn_seconds", "opening_card",
        "started_at", "ended_at",
    ),
    "turns": (
        "session_id", "seq", "phase_idx", "round", "participant_id", "started_at", "ended_at",
        "seconds", "passed", "picked", "second_chance",
    ),
    "cards_shown": ("session_id", "seq", "card_id", "phase_idx", "shown_at"),
    "ratings": ("session_id", "seq", "communication", "compassion", "clarity", "heard"),
    "intervals": ("session_id", "kind", "started_at", "ended_at", "seconds"),
}  # fmt: skip

CSV_README = """Re-Think Desktop export (CSV, format version {version})
Exported at {exported_at}. Names {names}.

One file per table; every file has a header row. Times are ISO 8601 in UTC (ending in Z).
Sessions are linked by session_id; turns by participant_id to participants.id.
The columns are described in docs/schema.md and docs/export-format.md of Re-Think Desktop.
No file holds anything that was said: Re-Think keeps no notes.
"""


def write_csv_zip(
    db: Database,
    out_path: Path,
    *,
    anonymise: bool = False,
    include_demo: bool = False,
    exported_at: datetime | None = None,
    progress: Progress | None = None,
) -> int:
    """One CSV per table inside a zip, with a README; return the number of sessions."""
    stamp = format_timestamp(exported_at or SystemClock().now())
    buffers = {table: io.StringIO() for table in CSV_TABLES}
    writers = {table: csv.writer(buf, lineterminator="\n") for table, buf in buffers.items()}
    for table, columns in CSV_TABLES.items():
        writers[table].writerow(columns)
    n = 0
    for record in _records(db, include_demo, progress):
        n += 1
        writers["sessions"].writerow([record[c] for c in CSV_TABLES["sessions"]])
        for table in CSV_TABLES:
            if table == "sessions":
                continue
            for row in record[table]:
                values = dict(row)
                if table == "participants" and anonymise:
                    values["name"] = None
                writers[table].writerow([values.get(c) for c in CSV_TABLES[table]])

    def write(handle: IO[bytes]) -> None:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            names = "removed (anonymised)" if anonymise else "included where still kept"
            archive.writestr(
                "README.txt",
                CSV_README.format(version=FORMAT_VERSION, exported_at=stamp, names=names),
            )
            for table, buf in buffers.items():
                archive.writestr(f"{table}.csv", buf.getvalue())

    _atomic_write_bytes(out_path, write)
    return n


def _atomic_write_bytes(path: Path, fill: Callable[[IO[bytes]], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export(
    db: Database,
    fmt: str,
    out_path: Path | None,
    *,
    anonymise: bool = False,
    include_demo: bool = False,
    stdout: IO[str] | None = None,
    progress: Progress | None = None,
    session_id: str | None = None,
) -> int:
    """Write an export in ``fmt`` to ``out_path`` (JSON may go to ``stdout``); return sessions.

    ``pdf`` is the summary of the one session ``session_id`` (see ``reports.pdf``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; choose json, csv or pdf.")
    if fmt == "pdf":
        if out_path is None or session_id is None:
            raise ValueError("A PDF summary is of one session: give --session ID --out FILE.pdf.")
        # Imported here: the PDF needs Qt, which JSON and CSV exports never load.
        from rethink_desktop.reports.pdf import write_pdf

        write_pdf(db, session_id, out_path, anonymise=anonymise, progress=progress)
        return 1
    if fmt == "csv":
        if out_path is None:
            raise ValueError("A CSV export is a zip file: give --out FILE.zip.")
        return write_csv_zip(
            db, out_path, anonymise=anonymise, include_demo=include_demo, progress=progress
        )
    if out_path is None:
        assert stdout is not None
        return write_json(
            db, stdout, anonymise=anonymise, include_demo=include_demo, progress=progress
        )
    count = 0

    def fill(handle: IO[bytes]) -> None:
        nonlocal count
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="\n")
        count = write_json(
            db, text, anonymise=anonymise, include_demo=include_demo, progress=progress
        )
        text.flush()
        text.detach()

    _atomic_write_bytes(out_path, fill)
    return count
