"""Builders shared by the tests: prepared sessions on a fake clock, damaged files."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.session import Session, Sink

AGENCIES = ("Children's social care", "Education", "Health", "Police", "Housing", "Early help")


def people(n: int) -> list[dict]:
    return [
        {
            "id": f"p{i}",
            "name": f"Person {i}",
            "agency": AGENCIES[i % len(AGENCIES)],
            "role": f"Role {i}",
        }
        for i in range(1, n + 1)
    ]


def phases(*minutes: int, turn_seconds: int = 120) -> list[dict]:
    minutes = minutes or (10, 20, 30, 30, 20, 10)
    return [
        {"name": f"Phase {i}", "minutes": m, "turn_seconds": turn_seconds, "opening_card": None}
        for i, m in enumerate(minutes, start=1)
    ]


def prepared(n: int = 4, clock: FakeClock | None = None, sink: Sink | None = None, **kw) -> Session:
    clock = clock or FakeClock()
    session = Session.create(
        clock, sink, session_id=kw.pop("session_id", None), demo=kw.pop("demo", False)
    )
    session.prepare(
        kind=kw.pop("kind", "family_network"),
        reference=kw.pop("reference", "FN-2291"),
        participants=kw.pop("participants", people(n)),
        phases=kw.pop("phases", phases()),
        **kw,
    )
    return session


def running(n: int = 4, clock: FakeClock | None = None, sink: Sink | None = None, **kw) -> Session:
    """A session with everyone present, started, nobody speaking yet."""
    present = kw.pop("present", None)
    pulse = kw.pop("pulse", 6)
    starter = kw.pop("starter", None)
    session = prepared(n, clock, sink, **kw)
    session.check_in(present or [p.id for p in session.state.participants], pulse=pulse)
    session.start(starter=starter)
    return session


def meetings(sink: Sink, clock: FakeClock, then: Callable[[Session], object] | None = None) -> None:
    """Twelve meetings of six with twenty turns each, enough pages for a damaged one to be
    in a table start-up never reads; ``then`` each (end it, complete it…)."""
    for _ in range(12):
        session = running(6, clock, sink=sink)
        for _ in range(20):
            session.next_turn()
        if then is not None:
            then(session)


def overwrite_pages(path: Path, pagenos) -> None:
    """Pages of a closed file (numbered from 1) overwritten with 0xff, as bad sectors would."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    data = bytearray(path.read_bytes())
    for pageno in pagenos:
        start = (pageno - 1) * page
        data[start : start + page] = b"\xff" * page
    path.write_bytes(bytes(data))


def damage_every_table(path: Path) -> None:
    """The root page of every table and index overwritten; the schema itself left readable."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        roots = [r for (r,) in conn.execute("SELECT rootpage FROM sqlite_master WHERE rootpage")]
    finally:
        conn.close()
    overwrite_pages(path, roots)


def back_to_schema_3(db) -> None:
    """Take a file back to schema 3, as a build before migration 4 left it: no kept export
    texts (m005), intervals without ``seq`` and with the old index (m004), and none of the
    later index (m008)."""
    db.execute("DROP INDEX sessions_finished")
    db.execute("DROP TABLE export_texts")
    db.execute("DROP INDEX intervals_session")
    db.execute("ALTER TABLE intervals DROP COLUMN seq")
    db.execute("CREATE INDEX intervals_session ON intervals (session_id, kind)")
    db.execute("DELETE FROM _sqlite_migrations WHERE name >= 'm004'")
    db.execute("PRAGMA user_version = 3")


def own_deck(folder: Path, *, title: str = "Our partnership's deck", drop: str = "") -> Path:
    """A deck of a facilitator's own, as docs/resources.md says to make one: the bundled
    deck copied, with a new id and title and one card's prompt reworded; ``drop`` leaves
    out the card of that id. Written to ``folder``/own-deck.json."""
    import json

    from rethink_desktop.core.resources import resource_path

    deck = json.loads(resource_path("cards", "default.json").read_text(encoding="utf-8"))
    deck["id"], deck["title"] = "ours", title
    deck["cards"] = [card for card in deck["cards"] if card["id"] != drop]
    deck["cards"][0]["prompt"] = "In a sentence, what brings you here today?"
    path = folder / "own-deck.json"
    path.write_text(json.dumps(deck, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
