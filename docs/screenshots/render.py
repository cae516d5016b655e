"""Render every screen offscreen into docs/screenshots (the README shows them).

Run: ``make screenshots`` (or ``QT_QPA_PLATFORM=offscreen .venv/bin/python
docs/screenshots/render.py [--scale 1.5] [--out DIR]``). Uses the demo network on a fake
clock in a temporary data folder, so the pictures are the same every time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from rethink_desktop.core.agenda import load_templates
from rethink_desktop.core.cards import load_default_deck
from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.demo import demo_preparation
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.paths import resolve_paths
from rethink_desktop.ui.controller import SessionController
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
    for theme in ("light", "dark"):
        apply_theme(app, theme)
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
            keys = KeyMapDialog(window)
            keys.resize(900, 740)
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
