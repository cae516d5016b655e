"""Figures for the facilitator's app: start-up, key press to screen, idle CPU, memory.

Run from the repository root: ``.venv/bin/python benchmarks/bench_app.py``. Prints figures
only; the targets (issue 3) are start-up ≤ 0.35 s median with 1,000 sessions, key press →
durable → screen ≤ 10 ms p99, idle CPU ≤ 1 % of a core, memory ≤ 120 MB RSS.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.session import Session
from rethink_desktop.storage.eventlog import EventStore

PEOPLE = [
    {"name": f"P{i}", "agency": a, "role": "r"}
    for i, a in enumerate(["Education", "Health", "Police", "Social care", "Housing", "Early help"])
]
PHASES = [{"name": f"Phase {i}", "minutes": m, "turn_seconds": 180, "opening_card": None}
          for i, m in enumerate((10, 15, 30, 10, 20, 25, 10))]  # fmt: skip


def machine() -> str:
    return (
        f"{platform.platform()} | {platform.machine()}, {os.cpu_count()} CPUs | "
        f"Python {platform.python_version()} | SQLite {sqlite3.sqlite_version}"
    )


def meeting(store: EventStore, clock: FakeClock, *, finish: bool = True) -> Session:
    s = Session.create(clock, store.append)
    s.prepare(kind="family_network", reference="FN-1000", participants=PEOPLE, phases=PHASES)
    s.check_in([p.id for p in s.state.participants], pulse=6)
    s.start()
    for _ in range(24):
        clock.advance(240)
        s.next_turn()
    if finish:
        s.end()
        for _ in range(6):
            s.rate(communication=4, compassion=4, clarity=4, heard=5)
        s.complete()
    return s


def seed(data: Path, sessions: int, *, live: bool) -> None:
    clock = FakeClock(datetime(2024, 1, 1, 9, tzinfo=UTC))
    with EventStore.open(data / "rethink.sqlite") as store, store.db.atomic():
        for _ in range(sessions):
            meeting(store, clock)
            clock.advance(86400)
    if live:
        started = FakeClock(datetime.now(UTC) - timedelta(minutes=20))
        with EventStore.open(data / "rethink.sqlite") as store:
            meeting(store, started, finish=False)


def app_cmd(data: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "rethink_desktop", "--data-dir", str(data), *extra]


def user_env(data: Path) -> dict[str, str]:
    """The environment of a user's machine: Python caches bytecode (some CI images turn
    that off with PYTHONDONTWRITEBYTECODE, which would add compiling to every start). The
    per-user settings (window geometry) go beside ``data``, not into the real user's
    ``~/.config/rethink-desktop``, where every run left them."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = str(data.parent / "config")
    return env


def startup(data: Path, runs: int) -> tuple[list[float], list[float]]:
    """(process start → window interactive, as the app reports it; whole run incl. quit).

    One warm-up run first, not counted: it writes the bytecode cache and does the once-only
    work of a first start on this data (the seeded sessions still carry names, which the
    first start removes).
    """
    env = user_env(data)
    subprocess.run(app_cmd(data, "--quit-after-start"), check=True, capture_output=True, env=env)
    interactive, whole = [], []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            app_cmd(data, "--quit-after-start"),
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        whole.append(time.perf_counter() - start)
        for line in done.stdout.splitlines():
            if line.startswith("interactive_ms="):
                interactive.append(float(line.split("=", 1)[1]) / 1000)
    return interactive, whole


def proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def idle(data: Path, seconds: float) -> tuple[float, float]:
    child = subprocess.Popen(
        app_cmd(data, "--unattended"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=user_env(data),
    )
    try:
        time.sleep(4)  # settle: imports, resume, first paint
        cpu0, t0 = proc_cpu_seconds(child.pid), time.monotonic()
        time.sleep(seconds)
        cpu1, t1 = proc_cpu_seconds(child.pid), time.monotonic()
        rss = proc_rss_mb(child.pid)
    finally:
        child.kill()
        child.wait()
    return 100 * (cpu1 - cpu0) / (t1 - t0), rss


def key_presses(data: Path, presses: int, *, room_display: bool = False) -> list[float]:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from rethink_desktop.core.agenda import load_templates
    from rethink_desktop.core.cards import load_default_deck
    from rethink_desktop.storage.paths import resolve_paths
    from rethink_desktop.ui.controller import SessionController
    from rethink_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    store = EventStore.open(data / ("keys-room.sqlite" if room_display else "keys.sqlite"))
    clock = FakeClock(datetime.now(UTC))
    ctl = SessionController(store, clock, load_default_deck())
    settings = QSettings(str(data / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(resolve_paths(data), ctl, load_templates(), settings)
    window.confirm = lambda title, text: True
    window.resize(1366, 768)
    window.show()
    session = meeting(store, clock, finish=False)
    ctl.open_session(session.id)
    window.show_for_state()
    if room_display:  # the wall screen too, as in a real meeting (960×540 offscreen)
        window.toggle_room_display()
    app.processEvents()
    samples = []
    for _ in range(presses):
        clock.advance(30)
        start = time.perf_counter()
        QTest.keyClick(window.live, Qt.Key.Key_Space)
        app.processEvents()  # deliver the paint events: the changed widgets are redrawn
        samples.append(time.perf_counter() - start)
    window.close()
    store.close()
    return samples


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--idle-seconds", type=float, default=20)
    parser.add_argument("--presses", type=int, default=300)
    args = parser.parse_args()
    print("machine:", machine())
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        t = time.perf_counter()
        seed(data, args.sessions, live=False)
        print(f"seeded {args.sessions} completed sessions in {time.perf_counter() - t:.1f} s")
        interactive, whole = startup(data, args.runs)
        if interactive:
            print(
                f"start-up to an interactive window, {args.sessions} sessions: median "
                f"{statistics.median(interactive) * 1000:.0f} ms, min "
                f"{min(interactive) * 1000:.0f} ms (n={len(interactive)}; /proc resolution 10 ms)"
            )
        print(
            f"whole run (start, window, quit, exit): median "
            f"{statistics.median(whole) * 1000:.0f} ms (n={args.runs})"
        )
        seed(data, 0, live=True)
        cpu, rss = idle(data, args.idle_seconds)
        print(f"idle running session: CPU {cpu:.2f} % of one core over {args.idle_seconds:.0f} s")
        print(f"memory: {rss:.0f} MB RSS")
        for room_display in (False, True):
            samples = key_presses(data, args.presses, room_display=room_display)
            where = " (room display open too)" if room_display else ""
            print(
                f"key press (Space) → event durable → screen repainted{where}: "
                f"p50 {pct(samples, 0.5) * 1000:.1f} ms, p99 {pct(samples, 0.99) * 1000:.1f} ms, "
                f"max {max(samples) * 1000:.1f} ms (n={len(samples)})"
            )


if __name__ == "__main__":
    main()
