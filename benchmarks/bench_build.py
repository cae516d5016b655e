"""Figures for the packaged build: its size, what is biggest in it, and frozen start-up time.

Run from the repository root after ``make package``: ``.venv/bin/python benchmarks/bench_build.py``.
Prints figures only. The targets (issue 5): the Linux one-folder build ≤ 110 MB, and start-up
of the frozen program to an interactive window ≤ 0.5 s median.

Start-up is measured as ``make package`` smoke-tests it: ``rethink-desktop --quit-after-start``
with a temporary data folder, offscreen, one warm-up run (which creates the database) and then
``--runs`` timed runs. Two figures per run: the whole process (start to exit, as a user's
double-click to a closed window would be, plus quitting), and the app's own report of when its
window became interactive (``interactive_ms``, measured from process start via /proc on Linux).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000
MIB = 1024 * 1024
TARGET_MB = 110
TARGET_STARTUP_S = 0.5


def machine() -> str:
    return (
        f"{platform.platform()} | {platform.machine()}, {os.cpu_count()} CPUs | "
        f"Python {platform.python_version()}"
    )


def default_program() -> Path:
    if sys.platform == "win32":
        return ROOT / "dist" / "rethink-desktop" / "rethink-desktop.exe"
    if sys.platform == "darwin":
        return ROOT / "dist" / "Re-Think Desktop.app" / "Contents" / "MacOS" / "rethink-desktop"
    return ROOT / "dist" / "rethink-desktop" / "rethink-desktop"


def build_folder(program: Path) -> Path:
    # macOS: measure the whole .app, which is what ships.
    for parent in program.parents:
        if parent.suffix == ".app":
            return parent
    return program.parent


def sizes(folder: Path) -> tuple[dict[Path, int], dict[Path, int]]:
    """Bytes per file and per folder (cumulative); symbolic links are not followed."""
    files: dict[Path, int] = {}
    dirs: dict[Path, int] = {}
    for dirpath, _subdirs, names in os.walk(folder):
        for name in names:
            path = Path(dirpath, name)
            if path.is_symlink():
                continue
            size = path.stat().st_size
            files[path] = size
            for parent in path.relative_to(folder).parents:
                dirs[folder / parent] = dirs.get(folder / parent, 0) + size
    return files, dirs


def report_size(folder: Path) -> None:
    files, dirs = sizes(folder)
    total = sum(files.values())
    verdict = "within" if total <= TARGET_MB * MB else "OVER"
    print(
        f"\nBuild size: {total / MB:.1f} MB ({total / MIB:.1f} MiB) in {len(files)} files "
        f"— {verdict} the {TARGET_MB} MB budget (Linux)"
    )

    def show(title: str, sized: dict[Path, int]) -> None:
        print(f"\n{title}")
        for path, size in sorted(sized.items(), key=lambda item: -item[1])[:10]:
            share = 100 * size / total
            print(f"  {size / MB:7.1f} MB  {share:4.1f} %  {path.relative_to(folder)}")

    show("Biggest files", files)
    # The top two levels are always the whole build; start below them.
    inner = {p: s for p, s in dirs.items() if len(p.relative_to(folder).parts) >= 2}
    show("Biggest folders (each includes its subfolders)", inner)


def run_once(program: Path, data: Path, env: dict[str, str]) -> tuple[float, float | None]:
    started = time.perf_counter()
    result = subprocess.run(
        [str(program), "--data-dir", str(data), "--quit-after-start"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"exit status {result.returncode}: {result.stderr.strip()}")
    shown = re.search(r"interactive_ms=(\d+)", result.stdout)
    return elapsed, (int(shown.group(1)) / 1000 if shown else None)


def report_startup(program: Path, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="rethink-bench-") as tmp:
        home = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RETHINK_", "XDG_"))}
        env.update(HOME=str(home / "home"), QT_QPA_PLATFORM="offscreen")
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            env[var] = str(home / var.lower())
        data = home / "data"
        run_once(program, data, env)  # warm-up: creates and migrates the database
        wall, interactive = [], []
        for _ in range(runs):
            whole, ready = run_once(program, data, env)
            wall.append(whole)
            if ready is not None:
                interactive.append(ready)
    print(f"\nFrozen start-up, offscreen, empty database, {runs} runs after one warm-up")
    print(
        f"  whole process (start → window → quit): median {statistics.median(wall):.3f} s, "
        f"min {min(wall):.3f} s, max {max(wall):.3f} s"
    )
    if interactive:
        median = statistics.median(interactive)
        verdict = "met" if median <= TARGET_STARTUP_S else "NOT MET"
        print(
            f"  to an interactive window:             median {median:.3f} s, "
            f"min {min(interactive):.3f} s, max {max(interactive):.3f} s "
            f"— target ≤ {TARGET_STARTUP_S} s {verdict}"
        )
    else:
        print("  (this platform does not report the interactive time; see the whole process)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", type=Path, default=default_program())
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print(machine())
    if not args.program.is_file():
        # `make bench` runs every benchmark; without a build there is nothing to measure here.
        print(f"No build at {args.program}: run `make package` first. Nothing measured.")
        return 0
    report_size(build_folder(args.program))
    report_startup(args.program, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
