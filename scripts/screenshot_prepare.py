"""Render the Prepare screen offscreen with the demo network, for docs/screenshots.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_prepare.py [--all]``.
Writes prepare-light.png and prepare-dark.png at 1366×768; ``--all`` adds 150 % text and
1920×1080 variants for a closer look (not committed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from rethink_desktop.core.agenda import load_templates
from rethink_desktop.core.cards import load_default_deck
from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.demo import demo_preparation
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.prepare import PrepareView
from rethink_desktop.ui.theme import apply_theme

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def render(
    app: QApplication, theme: str, size: tuple[int, int], path: Path, *, fresh: bool = False
) -> None:
    apply_theme(app, theme)
    templates = load_templates()
    with tempfile.TemporaryDirectory() as tmp:
        store = EventStore.open(Path(tmp) / "demo.sqlite")
        controller = SessionController(store, FakeClock(), load_default_deck(), demo=True)
        controller.new_session()
        if not fresh:
            prep = demo_preparation(templates["family-network"])
            controller.act("prepare", scheduled_for="2026-03-09T10:00", **prep)
        view = PrepareView(controller, templates)
        view.load()
        if fresh:
            # A half-filled new draft: what the inline problems and the summary look like.
            view.reference.setText("Smith family")
            view.reference.textEdited.emit("Smith family")
            view.people.setData(view.people.index(0, 1), "Priya")
            view.phases.setData(view.phases.index(2, 1), 25)
        view.resize(*size)
        view.show()
        app.processEvents()
        view.grab().save(str(path))
        view.close()
        view.deleteLater()
        controller.deleteLater()
        app.processEvents()
        store.close()
    print(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--all", action="store_true", help="also 150 %% text and 1920×1080")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    base = app.font()
    for theme in ("light", "dark"):
        render(app, theme, (1366, 768), OUT / f"prepare-{theme}.png")
    if args.all:
        extra = Path(tempfile.gettempdir()) / "rethink-screens"
        extra.mkdir(exist_ok=True)
        render(app, "light", (1920, 1080), extra / "prepare-light-1920.png")
        render(app, "light", (1366, 768), extra / "prepare-fresh.png", fresh=True)
        render(app, "light", (720, 700), extra / "prepare-narrow.png", fresh=True)
        render(app, "dark", (1366, 768), extra / "prepare-fresh-dark.png", fresh=True)
        big = base
        big.setPointSizeF(base.pointSizeF() * 1.5)
        app.setFont(big)
        for theme in ("light", "dark"):
            render(app, theme, (1366, 768), extra / f"prepare-{theme}-150.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
