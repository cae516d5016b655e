"""Records at scale: JSON export and import of 10,000 generated sessions.

Run from the repository root::

    .venv/bin/python benchmarks/bench_records.py [--sessions N]

The data comes from ``benchmarks/generate.py`` (cached in ``benchmarks/.cache`` after the
first run). Prints figures only; the issue's targets are JSON export ≤ 2 s, import ≤ 5 s,
History open ≤ 300 ms and Dashboard ≤ 300 ms (median of several runs; the first is shown too,
since it is what a facilitator sees). The exports are timed ``--export-runs`` times (JSON;
half as many CSV), to the same files, fsync included.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.generate import cached_copy  # noqa: E402
from rethink_desktop.reports.exports import export  # noqa: E402
from rethink_desktop.reports.importer import ImportReport, import_export  # noqa: E402
from rethink_desktop.storage.eventlog import EventStore  # noqa: E402


def _timed(fn: Callable[[], object], runs: int = 7) -> tuple[float, float]:
    """(first, median) wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times[0], statistics.median(times)


def bench_history_and_dashboard(store: EventStore) -> None:
    """History open (model + first page) and the Dashboard, as SQL and as the screens."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from rethink_desktop.core.cards import load_default_deck
    from rethink_desktop.core.clock import SystemClock
    from rethink_desktop.storage.history import HistoryFilters, count_sessions, dashboard, page
    from rethink_desktop.ui.controller import SessionController
    from rethink_desktop.ui.dashboard import DashboardView
    from rethink_desktop.ui.history import HistoryView
    from rethink_desktop.ui.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    apply_theme(app, "light")
    controller = SessionController(store, SystemClock(), load_default_deck())
    db = store.db
    views: list = []

    def first_page() -> None:
        count_sessions(db, HistoryFilters())
        page(db, HistoryFilters(), 0, 100)

    def open_history() -> None:
        view = HistoryView(controller)
        view.resize(1366, 740)
        view.refresh()
        view.show()
        app.processEvents()  # laid out and painted
        views.append(view)

    def open_dashboard() -> None:
        view = DashboardView(controller)
        view.resize(1366, 740)
        view.period.set_key("all")  # reads the figures, as choosing a period does
        view.show()
        app.processEvents()
        views.append(view)

    for label, fn in (
        ("History SQL (count + first page)", first_page),
        ("History open (screen + first page)", open_history),
        ("Dashboard SQL (all time)", lambda: dashboard(db)),
        ("Dashboard open (screen, all time)", open_dashboard),
    ):
        first, median = _timed(fn)
        print(f"{label + ':':38s} first {first:6.1f} ms, median {median:6.1f} ms  target ≤ 300 ms")
        for view in views:
            view.close()
            view.deleteLater()
        views.clear()
        app.processEvents()
    controller.deleteLater()
    app.processEvents()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--export-runs", type=int, default=5, help="JSON exports timed (CSV: half as many)"
    )
    parser.add_argument("--import-runs", type=int, default=3, help="imports timed, each way")
    args = parser.parse_args(argv)
    print(f"machine:  {platform.platform()}, {os.cpu_count()} logical CPUs")
    print(f"python:   {platform.python_version()}, sqlite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory(prefix="rethink-records-") as tmp_name:
        tmp = Path(tmp_name)
        start = time.perf_counter()
        source = cached_copy(tmp / "a.sqlite", args.sessions, args.seed)
        print(f"data:     {args.sessions} sessions ready in {time.perf_counter() - start:.1f} s")
        with EventStore.open(source) as store:
            rows = {
                t: store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("sessions", "events", "turns")
            }
            print("rows:     " + ", ".join(f"{n:,} {t}" for t, n in rows.items()))
            bench_history_and_dashboard(store)
            out = tmp / "export.json"
            took = []
            for _ in range(args.export_runs):
                start = time.perf_counter()
                n = export(store.db, "json", out)
                took.append(time.perf_counter() - start)
            size = out.stat().st_size / 1e6
            print(
                f"JSON export:   first {took[0]:5.2f} s, median {statistics.median(took):5.2f} s"
                f" of {len(took)}  ({n} sessions, {size:.0f} MB)  target ≤ 2 s"
            )
            # As just after an import, or from a file of a build before schema 5: no session's
            # text kept yet, so this export formats them all and keeps them.
            with store.db.conn:
                store.db.execute("DELETE FROM export_texts")
            start = time.perf_counter()
            export(store.db, "json", out)
            print(f"  … none kept yet: {time.perf_counter() - start:5.2f} s (keeps them)")
            took = []
            for _ in range(max(1, args.export_runs // 2)):
                start = time.perf_counter()
                export(store.db, "csv", tmp / "export.zip")
                took.append(time.perf_counter() - start)
            size = (tmp / "export.zip").stat().st_size / 1e6
            print(
                f"CSV export:    first {took[0]:5.2f} s, median {statistics.median(took):5.2f} s"
                f" of {len(took)}  ({size:.0f} MB zip)"
            )
        bench_import(tmp, out, args.import_runs)


def bench_import(tmp: Path, export_file: Path, runs: int) -> None:
    """The JSON export merged into an empty data folder (a fresh file each run), then the
    same file again into the last of them (everything skipped as identical). Wall time, and
    the process's CPU time beside it (less than the wall time when the machine is busy)."""

    def timed(store: EventStore) -> tuple[float, float, ImportReport]:
        wall, cpu = time.perf_counter(), time.process_time()
        report = import_export(store, export_file, keep_names=True)
        return time.perf_counter() - wall, time.process_time() - cpu, report

    def show(label: str, runs: list[tuple[float, float, ImportReport]], note: str) -> None:
        walls = [r[0] for r in runs]
        cpu = statistics.median(r[1] for r in runs)
        print(
            f"{label:14s} first {walls[0]:5.2f} s, median {statistics.median(walls):5.2f} s"
            f" of {len(runs)} (CPU {cpu:5.2f} s)  {note}"
        )

    fresh = []
    for n in range(runs):
        path = tmp / f"import-{n}.sqlite"
        with EventStore.open(path) as empty:
            fresh.append(timed(empty))
        if n < runs - 1:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
    show("import:", fresh, f"({fresh[-1][2].summary()})  target ≤ 5 s")
    with EventStore.open(tmp / f"import-{runs - 1}.sqlite") as full:
        again = [timed(full) for _ in range(runs)]
    skipped = again[-1][2]
    show("import again:", again, f"({skipped.summary()})")


if __name__ == "__main__":
    main()
