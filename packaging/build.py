"""Build the one-folder app with PyInstaller, check its size, then smoke-test the frozen program.

Run from anywhere with the project's environment (``make package`` does this)::

    .venv/bin/python packaging/build.py            # build + size + smoke test
    .venv/bin/python packaging/build.py --smoke-only

The smoke test runs the frozen program, never the source tree, with its own temporary data,
config and log folders: ``check`` must pass, the window must open and close by itself
(offscreen) with nothing unexpected on stderr, ``--version`` must print the version in
pyproject.toml, and the trainers' demo must open and its session export as JSON, zipped CSV
and a PDF summary, then back up. The exports import modules that start-up does not, so an
over-eager exclude shows up here rather than on a user's laptop. Exit status 1 on any failure.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "rethink.spec"
DIST = ROOT / "dist"
MB = 1_000_000  # the budget is in SI megabytes, the stricter reading of "110 MB"
MIB = 1024 * 1024

# What the frozen program may print on stderr; anything else fails the smoke test.
ALLOWED_STDERR = (
    # The offscreen platform says this whenever a window is shown; it is not about the app.
    re.compile(r"This plugin does not support propagateSizeHints\(\)"),
)
# What the commands themselves report on stderr, by design.
NOTES = (
    re.compile(r"^Note: this export includes participants' names"),
    re.compile(r"^Exported \d+ session"),
    re.compile(r"^Backed up "),
)
# Things the excludes in rethink.spec keep out; finding one means an exclude stopped working.
FORBIDDEN_IN_BUNDLE = (
    "*QtNetwork*",
    "*Qt6Network*",
    "*QtQml*",
    "*Qt6Qml*",
    "*QtQuick*",
    "*Qt6Quick*",
    "*WebEngine*",
    "*Qt6Pdf*",
    "*libssl*",
    "*libcrypto*",
    "_ssl.*",
    "*tkinter*",
    "*platformthemes*",
    "*pytest*",
    "*hypothesis*",
)


def load_buildinfo() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "rethink_buildinfo", ROOT / "packaging" / "buildinfo.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


info = load_buildinfo()


@dataclass(frozen=True)
class Frozen:
    """Where the built program is on this OS."""

    folder: Path  # what is measured and shipped
    gui: Path  # the windowed program
    cli: Path  # the program with a console (the same file except on Windows)


def frozen_paths(dist: Path = DIST) -> Frozen:
    name = info.APP_NAME
    if sys.platform == "win32":
        folder = dist / name
        return Frozen(folder, folder / f"{name}.exe", folder / f"{name}-cli.exe")
    if sys.platform == "darwin":
        folder = dist / f"{info.DISPLAY_NAME}.app"
        program = folder / "Contents" / "MacOS" / name
        return Frozen(folder, program, program)
    folder = dist / name
    return Frozen(folder, folder / name, folder / name)


def run_pyinstaller() -> float:
    """Build from the spec; returns the seconds it took."""
    started = time.monotonic()
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", str(SPEC)]
    print(f"$ {' '.join(command)}", flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    return time.monotonic() - started


def tree_size(folder: Path) -> tuple[int, int]:
    """Total bytes and number of files, symbolic links not followed (they point inside)."""
    total = count = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath, name)
            if not path.is_symlink():
                total += path.stat().st_size
                count += 1
    return total, count


def forbidden_files(folder: Path) -> list[str]:
    found = []
    for dirpath, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            if any(fnmatch.fnmatch(name, pattern) for pattern in FORBIDDEN_IN_BUNDLE):
                found.append(str(Path(dirpath, name).relative_to(folder)))
    return found


def unbundled_xcb_libraries(folder: Path) -> list[str]:
    """Linux: the xcb helper libraries Qt's X11 plugin links to but the build lacks.

    PyInstaller bundles them only if the build machine has them; a computer without them
    then cannot open the window on X11 (Qt's "could not load the Qt platform plugin xcb").
    """
    plugin = folder / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not sys.platform.startswith("linux") or not plugin.is_file():
        return []
    qpa = plugin.parents[2] / "lib" / "libQt6XcbQpa.so.6"
    needed: set[str] = set()
    for binary in (plugin, qpa):
        out = subprocess.run(
            ["readelf", "--dynamic", "--wide", str(binary)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        needed.update(re.findall(r"\(NEEDED\)\s+Shared library: \[(libxcb-[^\]]+)\]", out))
    bundled = {path.name for path in (folder / "_internal").iterdir()}
    return sorted(needed - bundled)


def symbol_versions(folder: Path) -> dict[str, str]:
    """Linux: the newest glibc and libstdc++ symbol versions the build needs on a computer."""
    newest: dict[str, tuple[int, ...]] = {}
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
        out = subprocess.run(
            ["readelf", "--version-info", "--wide", str(path)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        for lib, version in re.findall(r"\b(GLIBC|GLIBCXX)_(\d+(?:\.\d+)+)\b", out):
            numbers = tuple(int(n) for n in version.split("."))
            newest[lib] = max(newest.get(lib, numbers), numbers)
    return {lib: ".".join(map(str, numbers)) for lib, numbers in newest.items()}


def smoke_env(home: Path) -> dict[str, str]:
    """A private home and XDG folders, offscreen Qt, and none of the app's own settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RETHINK_", "QT_", "XDG_"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_DIRS", "etc-xdg"),
    ):
        env[var] = str(home / sub)
    if sys.platform == "win32":
        env.update(APPDATA=str(home / "AppData" / "Roaming"))
        env.update(LOCALAPPDATA=str(home / "AppData" / "Local"))
    return env


def unexpected(stderr: str, allowed: Sequence[re.Pattern[str]] = ()) -> list[str]:
    patterns = (*ALLOWED_STDERR, *allowed)
    return [
        line
        for line in stderr.splitlines()
        if line.strip() and not any(p.search(line) for p in patterns)
    ]


class SmokeFailure(Exception):
    pass


def run_frozen(
    program: Path,
    args: Sequence[str],
    env: dict[str, str],
    *,
    allowed_stderr: Sequence[re.Pattern[str]] = (),
    capture_stderr: bool = True,
) -> tuple[str, float]:
    """Run the frozen program; returns its stdout and seconds. Fails on a non-zero exit or
    on stderr outside the allow-list."""
    started = time.monotonic()
    try:
        result = subprocess.run(
            [str(program), *args],
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SmokeFailure(f"{program.name} {' '.join(args)}: no exit after 120 s") from exc
    elapsed = time.monotonic() - started
    label = f"{program.name} {' '.join(args)}"
    if result.returncode != 0:
        raise SmokeFailure(
            f"{label}: exit status {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    stray = unexpected(result.stderr, allowed_stderr) if capture_stderr else []
    if stray:
        raise SmokeFailure(f"{label}: unexpected stderr:\n" + "\n".join(stray))
    return result.stdout, elapsed


def smoke_test(frozen: Frozen, version: str) -> None:
    """The frozen program's self-check, window, version, demo, exports and backup."""
    for program in {frozen.gui, frozen.cli}:
        if not program.is_file():
            raise SmokeFailure(f"{program} was not built")
    stray = forbidden_files(frozen.folder)
    if stray:
        raise SmokeFailure("excluded modules are in the build:\n  " + "\n  ".join(stray))
    print("smoke: nothing excluded found in the build")
    with tempfile.TemporaryDirectory(prefix="rethink-smoke-") as tmp:
        home = Path(tmp)
        env = smoke_env(home / "home")
        data = home / "data"
        data_args = ["--data-dir", str(data)]

        out, seconds = run_frozen(frozen.cli, [*data_args, "check"], env)
        if "All checks passed" not in out:
            raise SmokeFailure(f"check did not pass:\n{out}")
        print(f"smoke: check passed ({seconds:.2f} s)")

        # A windowed .exe on Windows has no stderr to read; its exit status still counts.
        out, seconds = run_frozen(
            frozen.gui,
            [*data_args, "--quit-after-start"],
            env,
            capture_stderr=sys.platform != "win32",
        )
        shown = re.search(r"interactive_ms=(\d+)", out)
        detail = f", interactive after {shown.group(1)} ms" if shown else ""
        print(f"smoke: window opened and closed by itself ({seconds:.2f} s{detail})")

        out, _ = run_frozen(frozen.cli, ["--version"], env)
        expected = f"{info.DISPLAY_NAME} {version}"
        if not re.fullmatch(rf"{re.escape(expected)} \(records schema \d+\)", out.strip()):
            raise SmokeFailure(
                f"--version printed {out.strip()!r}, expected {expected!r} from pyproject.toml, "
                "then '(records schema N)'. Reinstall the project (pip install -e .) so its "
                "version files are regenerated."
            )
        print(f"smoke: --version is {out.strip()!r}")

        # The trainers' demo opens a fictional network, which gives the exports a session.
        run_frozen(
            frozen.gui,
            [*data_args, "--demo", "--quit-after-start"],
            env,
            capture_stderr=sys.platform != "win32",
        )
        demo = [*data_args, "--demo", "export"]
        out, _ = run_frozen(frozen.cli, [*demo, "--format", "json"], env, allowed_stderr=NOTES)
        sessions = json.loads(out)["sessions"]
        if not sessions:
            raise SmokeFailure("the demo made no session to export")
        files = {"csv": home / "export.zip", "pdf": home / "summary.pdf"}
        run_frozen(
            frozen.cli,
            [*demo, "--format", "csv", "--out", str(files["csv"])],
            env,
            allowed_stderr=NOTES,
        )
        # The PDF summary is drawn by QtGui's QPdfWriter on an offscreen QGuiApplication.
        run_frozen(
            frozen.cli,
            [*demo, "--format", "pdf", "--session", sessions[0]["id"], "--out", str(files["pdf"])],
            env,
            allowed_stderr=NOTES,
        )
        if not files["pdf"].is_file() or files["pdf"].read_bytes()[:5] != b"%PDF-":
            raise SmokeFailure("the PDF export wrote no PDF")
        if not zipfile.is_zipfile(files["csv"]):
            raise SmokeFailure("the CSV export wrote no zip file")
        backup = home / "backup.sqlite"  # of the real records (the demo's are never backed up)
        run_frozen(
            frozen.cli,
            [*data_args, "backup", "--out", str(backup)],
            env,
            allowed_stderr=NOTES,
        )
        if not backup.is_file():
            raise SmokeFailure("the backup wrote no file")
        print("smoke: demo opened; JSON, CSV and PDF export and backup work")

        # A large import reads half the file in a second copy of the program
        # (multiprocessing's "spawn", which the launcher's freeze_support() answers).
        big = home / "big.json"
        finished = big_export(big)
        out, seconds = run_frozen(frozen.cli, [*data_args, "import", str(big)], env)
        if f": {finished} added" not in out:
            raise SmokeFailure(f"the large import did not add {finished} sessions:\n{out}")
        logged = "".join(f.read_text(errors="replace") for f in home.rglob("*.log"))
        if "read in two parts at once" not in logged:
            raise SmokeFailure(f"the large import was not read in two parts:\n{logged[-2000:]}")
        print(f"smoke: {big.stat().st_size / MB:.0f} MB imported in two parts ({seconds:.2f} s)")


def big_export(path: Path) -> int:
    """A JSON export just over the size the importer reads in two parts, written by the
    source tree; returns how many finished sessions it holds."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.generate import export_of_size
    from rethink_desktop.reports.importer import _PARTS_MIN_BYTES

    return export_of_size(path, _PARTS_MIN_BYTES + 4 * MIB)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke-only", action="store_true", help="test the existing build")
    default_budget = info.SIZE_BUDGET_MB if sys.platform.startswith("linux") else None
    parser.add_argument(
        "--budget-mb",
        type=float,
        default=default_budget,
        help=f"fail above this size (default: {info.SIZE_BUDGET_MB:g} MB on Linux, none elsewhere)",
    )
    args = parser.parse_args(argv)

    version = info.project_version()
    info.write_version_info(version)
    frozen = frozen_paths()
    print(f"{info.DISPLAY_NAME} {version}: {frozen.folder}")
    if not args.smoke_only:
        seconds = run_pyinstaller()
        print(f"build: {seconds:.1f} s")

    if not frozen.folder.is_dir():
        print(f"error: there is no build at {frozen.folder}", file=sys.stderr)
        return 1
    size, files = tree_size(frozen.folder)
    budget = f", budget {args.budget_mb:g} MB" if args.budget_mb else ""
    print(f"size: {size / MB:.1f} MB ({size / MIB:.1f} MiB) in {files} files{budget}")
    if args.budget_mb and size > args.budget_mb * MB:
        print(
            f"error: the build is {size / MB - args.budget_mb:.1f} MB over its budget; "
            "see the size notes in packaging/README.md",
            file=sys.stderr,
        )
        return 1

    if sys.platform.startswith("linux"):
        needs = symbol_versions(frozen.folder)
        print(
            f"needs on the computer: glibc {needs.get('GLIBC', '?')} or later, "
            f"libstdc++ with GLIBCXX_{needs.get('GLIBCXX', '?')}"
        )
    missing = unbundled_xcb_libraries(frozen.folder)
    if missing:
        print(
            f"warning: not bundled, so needed on every X11 computer: {', '.join(missing)}. "
            "Install them on the build machine and rebuild (packaging/README.md lists them).",
            file=sys.stderr,
        )

    started = time.monotonic()
    try:
        smoke_test(frozen, version)
    except SmokeFailure as exc:
        print(f"error: smoke test failed: {exc}", file=sys.stderr)
        return 1
    print(f"smoke: all passed ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
