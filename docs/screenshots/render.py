"""Render every screen offscreen into docs/screenshots (the README shows them).

Run: ``make screenshots`` (or ``QT_QPA_PLATFORM=offscreen .venv/bin/python
docs/screenshots/render.py [--scale 1.5] [--out DIR]``). Uses the demo network on a fake
clock in a temporary data folder, so the pictures are the same every time.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from rethink_desktop.core.agenda import load_templates
from rethink_desktop.core.cards import load_default_deck
from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.demo import DEMO_PARTICIPANTS, demo_preparation
from rethink_desktop.core.session import Session
from rethink_desktop.storage.database import backup_database
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.paths import resolve_paths
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.deck import DeckDialog
from rethink_desktop.ui.keymap import KeyMapDialog
from rethink_desktop.ui.main_window import MainWindow
from rethink_desktop.ui.room_display import RoomDisplay
from rethink_desktop.ui.theme import apply_theme

HERE = Path(__file__).resolve().parent
START = datetime(2026, 3, 9, 9, 30, tzinfo=UTC)


def grab(app: QApplication, widget: QWidget, path: Path) -> None:
    app.processEvents()
    widget.grab().save(str(path))
    print("wrote", path)


def history(store: EventStore, clock: FakeClock, templates: dict) -> None:
    """A few finished sessions so the home screen looks lived in."""
    for n, ref in enumerate(("FN-2280", "TH-0412", "PP-1177")):
        ctl = SessionController(store, clock, load_default_deck())
        ctl.new_session()
        prep = demo_preparation(templates["family-network"])
        prep["reference"] = ref
        prep["purpose"] = ""
        ctl.act("prepare", **prep)
        ctl.act("check_in", [p.id for p in ctl.state.participants][: 6 + n % 2], pulse=7)
        ctl.start()
        for _ in range(12):
            ctl.act("next_turn")
            clock.advance(400)
        ctl.act("end")
        ctl.act("record_way_forward", "yes")
        ctl.act("complete")
        ctl.act("remove_names")
        clock.advance(86400 * 3)


# --- Records: a year of fictional sessions for History, detail and the Dashboard -------------
RECORDS_FIRST = datetime(2025, 4, 7, 9, 30, tzinfo=UTC)
RECORDS_NOW = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
PREFIX = {"family_network": "FN", "thematic": "TH", "post_proceedings": "PP"}


def records_meeting(store: EventStore, when: datetime, template, rng: random.Random) -> None:
    """One fictional two-hour session, key by key, as a facilitator would run it."""
    clock = FakeClock(when - timedelta(days=rng.randint(3, 12)))
    session = Session.create(clock, store.append)
    prep = demo_preparation(template)
    people = rng.sample(DEMO_PARTICIPANTS, rng.randint(5, 7))
    prep.update(reference=f"{PREFIX[template.kind]}-{rng.randint(1000, 9899)}",
                purpose="", participants=[dict(p) for p in people])  # fmt: skip
    session.prepare(**prep)
    clock.set(when)
    ids = [p.id for p in session.state.participants]
    absent = ids[-1:] if rng.random() < 0.25 else []
    session.check_in([i for i in ids if i not in absent], pulse=rng.randint(5, 9))
    session.start(seed=rng.randint(0, 999))
    late = bool(absent) and rng.random() < 0.6
    leaver = ids[0] if rng.random() < 0.08 else None
    # Facilitators grow into the method: talk evens out and ratings rise a little over the year.
    growth = (when - RECORDS_FIRST).days / 365
    for index, phase in enumerate(session.state.phases):
        if index:
            session.next_phase()
        if phase.opening_card:
            session.show_card(phase.opening_card)
        if phase.name.startswith("Space"):
            session.toggle_space()
            clock.advance(phase.minutes * 60 * 0.8)
            session.toggle_space()
            clock.advance(phase.minutes * 60 * 0.2)
            continue
        in_room = len(session.state.in_room_ids())
        share = phase.minutes * 60 / in_room
        for turn in range(in_room):
            if rng.random() < 0.12 and session.state.current_turn is not None:
                session.pass_turn()
            elif "next" in session.state.allowed():
                session.next_turn()
            if late and index == 1 and turn == 0:
                session.arrive(absent[0])  # the doors closed: recorded, not hidden
            if leaver and index == 4 and turn == 0 and leaver in session.state.in_room_ids():
                session.leave(leaver)
            if index == 2 and turn == 1 and rng.random() < 0.2:
                session.toggle_pause()
                clock.advance(rng.uniform(120, 420))
                session.toggle_pause()
            spread = 0.45 - 0.25 * growth
            clock.advance(max(20.0, rng.gauss(share, share * spread)))
        if index == 2 and rng.random() < 0.05:
            session.abandon("interrupted")  # a crisis called people away
            session.remove_names()
            return
    session.end()
    for _ in session.state.attended():
        base = 3.2 + 0.9 * growth + rng.uniform(-0.6, 0.6)
        session.rate(*(min(5, max(1, round(base + rng.uniform(-0.8, 0.8)))) for _ in range(4)))
    session.record_closing_pulse(max(1, session.state.pulse_start - rng.randint(1, 5)))
    session.record_way_forward(
        rng.choices(("yes", "partly", "not_yet"), (5, 3, 1 + (growth < 0.5)))[0]
    )
    session.complete()
    session.remove_names()


def records_store(folder: Path, templates: dict, cache: dict) -> EventStore:
    """A year of weekly sessions (built once per run, then copied for each theme)."""
    path = folder / "rethink.sqlite"
    if "path" in cache:
        backup_database(cache["path"], path)
        return EventStore.open(path)
    store = EventStore.open(path)
    rng = random.Random(2291)
    kinds = ["family-network"] * 5 + ["thematic"] * 2 + ["post-proceedings"] * 2
    when = RECORDS_FIRST
    while when < RECORDS_NOW - timedelta(days=5):
        records_meeting(store, when, templates[rng.choice(kinds)], rng)
        day = when.date() + timedelta(days=rng.choice((5, 7, 7, 8, 9)))
        day += timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)  # weekdays
        when = datetime(day.year, day.month, day.day, rng.choice((9, 13)), 30, tzinfo=UTC)
    cache["path"] = path
    return store


def render_records(app: QApplication, out: Path, name: str, templates: dict, cache: dict) -> None:
    """History, one session's detail and the Dashboard."""
    tmp = Path(tempfile.mkdtemp())
    store = records_store(tmp, templates, cache)
    clock = FakeClock(RECORDS_NOW)
    ctl = SessionController(store, clock, load_default_deck())
    settings = QSettings(str(tmp / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(resolve_paths(tmp), ctl, templates, settings)
    window.records.history.clock = clock
    window.records.dashboard.clock = clock
    window.resize(1366, 768)
    window.show()
    window.records.show_history()
    grab(app, window, out / f"history-{name}.png")
    window.records.history.select_row(2)
    window.records.show_detail(window.records.history.selected_id())
    grab(app, window, out / f"detail-{name}.png")
    window.records.dashboard.period.set_key("12m")
    window.records.show_dashboard()
    grab(app, window, out / f"dashboard-{name}.png")
    window.close()
    ctl.close_session()
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--scale", type=float, default=1.0, help="font scale, e.g. 1.5")
    args = parser.parse_args()
    app = QApplication([])
    if args.scale != 1.0:
        font = app.font()
        font.setPointSizeF(font.pointSizeF() * args.scale)
        app.setFont(font)
    suffix = "" if args.scale == 1.0 else f"-{int(args.scale * 100)}"
    templates = load_templates()
    records_cache: dict = {}
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        render_records(app, args.out, f"{theme}{suffix}", templates, records_cache)
        tmp = Path(tempfile.mkdtemp())
        store = EventStore.open(tmp / "rethink.sqlite")
        clock = FakeClock(START)
        history(store, clock, templates)
        clock.set(START.replace(day=27))
        ctl = SessionController(store, clock, load_default_deck())
        settings = QSettings(str(tmp / "ui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(resolve_paths(tmp), ctl, templates, settings)
        window.resize(1366, 768)
        window.show()
        name = f"{theme}{suffix}"

        window.show_home()
        grab(app, window, args.out / f"home-{name}.png")
        if theme == "light" and not suffix:  # File → Card deck, with no meeting under way
            deck = DeckDialog(ctl, window.paths.imported_deck, templates, window)
            deck.show()
            grab(app, deck, args.out / "deck.png")
            deck.close()
            window.activateWindow()  # as after a dialog: the screens below drawn active

        ctl.new_session()
        ctl.act("prepare", scheduled_for="2026-11-27T10:00", **demo_preparation(
            templates["family-network"]))  # fmt: skip
        window.show_prepare()
        grab(app, window, args.out / f"prepare-{name}.png")

        window.show_check_in()
        grab(app, window, args.out / f"checkin-{name}.png")

        ids = [p.id for p in ctl.state.participants]
        ctl.act("check_in", ids[:6], pulse=7)
        ctl.start()
        clock.advance(600)
        ctl.next_phase()
        clock.advance(900)
        ctl.next_phase()
        for i, dt in enumerate((150, 240, 30, 200, 95)):
            ctl.act("next_turn")
            clock.advance(dt)
            if i == 2:
                ctl.act("pass_turn")
                clock.advance(20)
        ctl.act("next_turn")
        clock.advance(161)
        window.live.refresh()
        grab(app, window, args.out / f"live-{name}.png")

        display = RoomDisplay(ctl)
        display.resize(1280, 720)
        display.show()
        display.refresh()
        grab(app, display, args.out / f"room-display-{name}.png")
        if theme == "light" and not suffix:
            ctl.act("toggle_space")
            clock.advance(130)
            display.refresh()
            grab(app, display, args.out / "room-display-space.png")
            ctl.act("toggle_space")
            keys = KeyMapDialog(window)  # sized by itself, as F1 opens it
            keys.show()
            grab(app, keys, args.out / "keys.png")
            keys.close()
        display.close()

        ctl.act("end")
        window.show_close()
        grab(app, window, args.out / f"close-{name}.png")
        window.close_view.way.set_value("partly")
        window.close_view.next()
        window.close_view.next()
        window.close_view.next()
        grab(app, window, args.out / f"close-rating-{name}.png")

        window.confirm = lambda title, text: True
        window.close()
        ctl.close_session()
        store.close()


if __name__ == "__main__":
    main()
