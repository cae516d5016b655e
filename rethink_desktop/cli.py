"""Command-line entry: the app by default; ``check``, ``export`` and ``backup`` for IT.

Start-up order, in :func:`main`: parse arguments → resolve paths → logging → run a command,
or open and migrate the database and build the window.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rethink_desktop import APP_DISPLAY_NAME, __version__
from rethink_desktop.cli_records import (
    RECORD_COMMANDS,
    add_record_commands,
    file_in_the_way,
    open_to_read,
    refuse_demo,
    run_record_command,
    session_lines,
    storage_words,
)
from rethink_desktop.storage.config import (
    UI_INI,
    Config,
    format_value,
    load_config,
    view_menu_choices,
)
from rethink_desktop.storage.paths import (
    AppPaths,
    ensure_dir,
    nearest_existing,
    probe_folder,
    resolve_paths,
)
from rethink_desktop.storage.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from rethink_desktop.storage.database import Database

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # as a shell reports a command stopped by SIGPIPE (128 + 13)


def version_line() -> str:
    """What ``--version`` prints: the build, and the records schema it writes (a database
    with a higher one is refused), so IT can tell which builds share records."""
    return f"{APP_DISPLAY_NAME} {__version__} (records schema {SCHEMA_VERSION})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rethink-desktop",
        description=(
            f"{APP_DISPLAY_NAME}: the timer, equal-voice rotation and process records for "
            "Re-Think meetings. With no command, opens the app."
        ),
        epilog=(
            "Data folder: --data-dir, else $RETHINK_DATA_DIR, else data_dir in the config "
            "file, else the platform default. `check` shows the config files it reads."
        ),
    )
    add_global_options(parser)
    parser.add_argument(
        "--speed",
        type=float,
        default=None,
        metavar="N",
        help="demo only: run the clock N times faster (1-120)",
    )
    # For smoke tests of installed and frozen builds: open the window, then quit at once.
    parser.add_argument("--quit-after-start", action="store_true", help=argparse.SUPPRESS)
    # For benchmarks and smoke tests: dialogs take their default answer, nothing waits.
    parser.add_argument("--unattended", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=version_line())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("check", help="check paths, database and resources; exit 1 on any problem")
    exp = commands.add_parser("export", help="export session records (JSON, zipped CSV or PDF)")
    exp.add_argument("--format", choices=("json", "csv", "pdf"), default="json")
    exp.add_argument(
        "--session",
        metavar="SESSION",
        help="PDF: the session to summarise: its reference as History shows it (FN-2291), "
        "in any case, or its id if several share the reference",
    )
    exp.add_argument(
        "--anonymise", action="store_true", help="leave out names (agency and role only)"
    )
    exp.add_argument(
        "--include-demo", action="store_true", help="include demo sessions (excluded by default)"
    )
    exp.add_argument(
        "--out",
        metavar="FILE",
        help="file to write, ending .json, .zip (csv) or .pdf as the format is "
        "(JSON: default is stdout)",
    )
    bak = commands.add_parser("backup", help="copy the database safely while it may be in use")
    bak.add_argument("--out", metavar="FILE", required=True, help="the backup file to write")
    add_record_commands(commands)
    for command in commands.choices.values():
        add_global_options(
            command.add_argument_group("options that may also go before the command"),
            after_the_command=True,
        )
    return parser


def add_global_options(parser: Any, *, after_the_command: bool = False) -> None:
    """``--data-dir``, ``--demo`` and ``--debug``, before the command or after it. A
    command's copy has no default (SUPPRESS), so leaving it out keeps what was given
    before the command; given after it, it wins."""
    unset = {"default": argparse.SUPPRESS} if after_the_command else {}
    parser.add_argument(
        "--data-dir", metavar="DIR", help="folder for the database and backups", **unset
    )
    parser.add_argument(
        "--demo", action="store_true", help="use the separate demo database (for trainers)", **unset
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="add detail to the log file (paths, settings, timings, counts; never names)",
        **unset,
    )


LOG_FILE = "rethink-desktop.log"


def setup_logging(paths: AppPaths, debug: bool, level: str = "info") -> Path | None:
    """Rotating log file in the platform log folder; never fatal if it cannot be written.

    ``--debug`` (``debug``) wins over the config file's ``log_level``. Nothing logged may
    carry a participant's name: log ids, counts and paths, never people.
    """
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug or level == "debug" else logging.INFO)
    log_file = paths.log_dir / LOG_FILE
    try:
        ensure_dir(paths.log_dir)
        handler = _log_handler(log_file)
    except OSError:
        handler, log_file = logging.StreamHandler(sys.stderr), None
        handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return log_file


LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 5


def _log_handler(log_file: Path) -> logging.Handler:
    """The log file's handler: rotating (``LOG_BACKUPS`` old files kept) once it has
    reached ``LOG_MAX_BYTES``, checked at each start. ``logging.handlers`` (and the socket
    and pickle modules it loads, ~11 ms) is imported only when a rotation is due."""
    try:
        due = log_file.stat().st_size >= LOG_MAX_BYTES
    except FileNotFoundError:
        due = False
    if not due or not takes_new_files(log_file.parent):
        # A folder that takes no new file cannot rotate (each record then failed, as a
        # "Logging error" traceback): the file grows past the limit instead, and `check`
        # says so.
        return logging.FileHandler(log_file, encoding="utf-8")
    from logging.handlers import RotatingFileHandler

    return RotatingFileHandler(
        log_file, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )


def demo_refused_message(config: Config) -> str:
    return (
        "The trainers' demo is turned off on this computer (allow_demo = false, "
        f"{_set_in(config.sources['allow_demo'])}). Nothing was opened. "
        "Ask IT if you need the demo."
    )


def _set_in(source: str) -> str:
    """A config source for people: "default", "locked by FILE" or "set in FILE"."""
    if source == "default" or source.startswith("locked by "):
        return source
    return f"set in {source}"


def database_for(paths: AppPaths, demo: bool) -> Path:
    return paths.demo_database if demo else paths.database


def write_config_report(
    config: Config, paths: AppPaths, out: TextIO, chosen: dict[str, object] | None = None
) -> None:
    """The config files looked for, each effective value and where it came from, warnings.

    ``chosen``: values the user's View menu chose, which win over the config files (theme,
    keep_names; see ``storage.config.view_menu_choices``): shown as the value the app uses, with the
    config's value beside it. IT checking a laptop was told names were not kept when the
    View menu kept them."""
    chosen = chosen or {}
    scopes = {"machine": "machine-wide", "user": "per-user"}
    out.write("Configuration\n")
    for scope, path in config.searched:
        if path in config.unreadable:
            status = "IGNORED: see the warnings below"
        elif path in config.files_read:
            status = "read"
        else:
            status = "not present"
        out.write(f"  {scopes.get(scope, scope):<18} {path}  ({status})\n")
    out.write(f"  {'locked':<18} {', '.join(sorted(config.locked)) or 'nothing'}\n")
    for key, value in config.values().items():
        extra = ""
        if key == "data_dir" and paths.source in ("--data-dir", "RETHINK_DATA_DIR"):
            extra = f"; for this run {paths.source} wins"
        source = f"{_set_in(config.sources[key])}{extra}"
        if key in chosen:
            ui_ini = paths.config_dir / UI_INI
            source = (
                f"chosen in the View menu, kept in {ui_ini}; "
                f"config: {format_value(value)}, {source}"
            )
            value = chosen[key]
        out.write(f"  {key:<18} {format_value(value)}  ({source})\n")
    if config.warnings:
        out.write(f"Configuration warnings ({len(config.warnings)}; the app still starts)\n")
        for warning in config.warnings:
            out.write(f"  - {warning}\n")


def takes_new_files(folder: Path) -> bool:
    """Whether a file can be made in ``folder`` (as a rotation of the log makes them)."""
    try:
        probe_folder(folder)
    except OSError:
        return False
    return True


def log_folder_problem(log_dir: Path) -> str | None:
    """Why the log file cannot be written (setup_logging then logs to the console, which a
    desktop start never shows), or None. A folder that takes no new file is a problem too,
    in its own words: its log file is added to, but cannot be rotated."""
    import errno

    try:
        ensure_dir(log_dir)
        with (log_dir / LOG_FILE).open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            why = "a file or folder is in the way"
        elif exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
            why = "it is read-only or belongs to another user"
        elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
            why = "the disk is full"
        else:
            why = exc.strerror or type(exc).__name__
        return (
            f"The log folder {log_dir} cannot be written ({why}), so the app keeps no log. "
            "It still runs; make the folder writable (or move what is in the way) so that "
            "problems can be looked into."
        )
    if not takes_new_files(log_dir):
        return (
            f"The log folder {log_dir} takes no new file (it is read-only or belongs to "
            f"another user): the app adds to {LOG_FILE} there, but cannot rotate it, so it "
            "grows past its 1 MB. Make the folder writable."
        )
    return None


def no_database(db_path: Path) -> bool:
    """No records file at ``db_path``, and nothing in the way of one. A file where a folder
    should be is left for ``open_database`` to name: it stops before making anything."""
    from rethink_desktop.storage.database import present

    if present(db_path):  # a name too long: a StorageError in words
        return False
    return nearest_existing(db_path.parent).is_dir()


def no_database_yet(db_path: Path, demo: bool) -> str:
    opened = "the demo is" if demo else "the app is"
    return (
        f"There is no database at {db_path} yet, and none was created: it is made when "
        f"{opened} first started with this data folder. If you expected records here, check "
        "the data folder setting (--data-dir, RETHINK_DATA_DIR or data_dir in the config file)."
    )


def records_in_use(db_path: Path) -> str:
    """Why ``check`` could not open the records: a writer holds them (an import, a restore or
    a purge; the app's own writes are short, and check reads beside them)."""
    return (
        f"The records ({db_path}) are in use by Re-Think Desktop, one of its commands (an "
        "import, a restore, a purge) or another program, so they could not be checked just "
        "now. Nothing has been changed. Run check again once that has finished."
    )


def cmd_check(paths: AppPaths, demo: bool, out: TextIO, config: Config | None = None) -> int:
    """Resolve paths, open + migrate, check integrity, load every resource; print a report.

    A missing database is reported, never created (a mistyped data folder must not look
    like records); it is no problem on a computer where the app has not been started yet.

    Config warnings (unknown keys, bad values) are reported but pass; a config file that
    could not be read at all is a problem, since none of IT's settings in it apply.
    """
    import platform
    from importlib import metadata

    from rethink_desktop.core.agenda import load_templates
    from rethink_desktop.core.cards import load_default_deck
    from rethink_desktop.core.decks import deck_in_use
    from rethink_desktop.core.resources import resource_dir
    from rethink_desktop.storage.database import (
        LockedError,
        StorageError,
        demo_copy_refusal,
        foreign_key_problems,
        integrity_check,
        open_database,
    )
    from rethink_desktop.storage.records import status_counts
    from rethink_desktop.ui.lock import unusable_data_folder, unusable_folder_name

    problems: list[str] = []

    def line(label: str, value: object) -> None:
        out.write(f"  {label:<18} {value}\n")

    out.write(f"{APP_DISPLAY_NAME} {__version__} — self-check\n")
    line("Python", f"{platform.python_version()} ({platform.platform()})")
    line("SQLite", sqlite3.sqlite_version)
    try:
        line("PySide6", metadata.version("PySide6-Essentials"))
    except metadata.PackageNotFoundError:
        line("PySide6", "bundled")
    out.write("Paths\n")
    line("data folder", f"{paths.data_dir}  (from {paths.source})")
    db_path = database_for(paths, demo)
    line("database", db_path)
    line("backups", paths.backups_dir)
    line("config folder", paths.config_dir)
    log_problem = log_folder_problem(paths.log_dir)
    line("log folder", paths.log_dir if log_problem is None else f"{paths.log_dir}  (PROBLEM)")
    if log_problem is not None:
        problems.append(log_problem)
    line("resources", resource_dir())
    config = load_config() if config is None else config
    write_config_report(config, paths, out, view_menu_choices(paths.config_dir / UI_INI, config))
    problems += [
        f"The config file {path} could not be read, so none of its settings apply."
        for path in config.unreadable
    ]
    out.write("Database\n")
    nothing_yet, db = False, None
    bad_name = unusable_folder_name(db_path.parent)
    # The app takes its lock in the folder before it opens the records, so a folder it
    # cannot write in is told in the lock's words (check said "cannot save…", its own).
    unusable = None
    try:
        if bad_name is not None:  # the app would refuse it at its start
            raise StorageError(bad_name, db_path)
        nothing_yet = no_database(db_path)  # a name too long: a StorageError in words
        unusable = unusable_data_folder(db_path.parent)
        if unusable is not None and not nothing_yet:
            raise StorageError(unusable, db_path)
        # Before it is opened, which upgrades a file of an older version: the app refuses it.
        demo_copy = None if demo or nothing_yet else demo_copy_refusal(db_path)
        if demo_copy is not None:
            raise StorageError(demo_copy, db_path)
        db = None if nothing_yet else open_database(db_path)
    except StorageError as exc:
        # LockedError's own words are for an action that could not be saved; check saves none.
        if isinstance(exc, LockedError):
            message = records_in_use(db_path)
        else:
            message = storage_words(exc, db_path, "check")
        problems.append(message)
        line("status", f"PROBLEM: {message}")
    else:
        if unusable is not None:  # the app would refuse to start: no "all checks passed"
            problems.append(unusable)
            line("status", f"PROBLEM: {unusable}")
        elif db is None:
            line("status", f"none yet: {no_database_yet(db_path, demo)}")
    if db is not None:
        try:
            line("schema", f"version {SCHEMA_VERSION} (up to date)")
            issues = integrity_check(db)
            fk = foreign_key_problems(db)
            line("integrity", "ok" if not issues else "; ".join(issues[:5]))
            line("foreign keys", "ok" if not fk else f"{len(fk)} problems")
            problems += issues
            if fk:
                problems.append(f"{len(fk)} foreign key problems")
            counts = status_counts(db)
            summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            line("sessions", summary or "none yet")
        finally:
            db.close()
    out.write("Resources\n")
    try:
        deck = load_default_deck()
        line("card deck", f"{deck.title}: {len(deck)} cards")
    except ValueError as exc:
        problems.append(str(exc))
        line("card deck", f"PROBLEM: {exc}")
        deck = None
    templates = None
    try:
        templates = load_templates()
        line("agenda templates", ", ".join(templates) or "none")
        if not templates:
            problems.append("No agenda templates were found.")
        elif config.default_template not in templates:
            # The app looks a template up by the id inside its file, not by the file's name.
            ids = ", ".join(f'"{t}"' for t in templates)
            problems.append(
                f'default_template "{config.default_template}" '
                f"({_set_in(config.sources['default_template'])}) is not the id of any agenda "
                f"template, so new sessions will not start from it. The ids are {ids}."
            )
        for template in templates.values():
            for phase in template.phases:
                if deck is not None and phase.opening_card and phase.opening_card not in deck:
                    problems.append(
                        f"Template {template.id}: card {phase.opening_card} is not in the deck."
                    )
    except ValueError as exc:
        problems.append(str(exc))
        line("agenda templates", f"PROBLEM: {exc}")
    imported = paths.imported_deck
    if deck is not None and templates is not None and not os.path.lexists(imported):
        # Said, with the place: IT who put a deck in the wrong folder (or as card-deck.json.txt)
        # saw no line at all, and "All checks passed".
        line("imported deck", f"none (a deck placed at {imported} would be used)")
    elif deck is not None and templates is not None:
        # One a facilitator imported (File → Card deck) is the deck in use, if it can be.
        in_use = deck_in_use(imported, templates)
        if in_use.problem is None:
            line("imported deck", f"{in_use.deck.title}: {len(in_use.deck)} cards, in use")
        else:
            line("imported deck", f"PROBLEM ({imported})")
            problems.append(in_use.problem)
    if problems:
        out.write(f"\n{len(problems)} problem(s):\n")
        for problem in problems:
            out.write(f"  - {problem}\n")
        return EXIT_PROBLEM
    passed = "All checks passed" + ("; there are no records here yet" if nothing_yet else "")
    if config.warnings:
        out.write(f"\n{passed}, with {len(config.warnings)} configuration warning(s).\n")
    else:
        out.write(f"\n{passed}.\n")
    return EXIT_OK


def export_write_failure(exc: OSError, target: Path | None, fmt: str) -> str:
    """Why an export could not be written, in words, naming ``target`` (never the hidden
    temporary file it is written under first), or standard output when it is None."""
    import errno

    code = exc.errno
    if target is None:  # JSON to standard output: part of it may have gone out already
        if code in (errno.ENOSPC, errno.EDQUOT):
            why = "The disk is full, so the export to standard output stopped part-way"
        else:
            reason = exc.strerror or type(exc).__name__
            why = f"The export to standard output stopped part-way ({reason})"
        return (
            f"{why}: what was written is incomplete, do not use it. The records are "
            "unchanged. Free some space or send the output elsewhere (or use --out FILE), "
            "then try again."
        )
    if code == errno.EISDIR or target.is_dir():
        return export_to_folder(target, fmt)
    from rethink_desktop.reports.exports import write_failure

    return write_failure(exc, target)


EXPORT_SUFFIX = {"json": ".json", "csv": ".zip", "pdf": ".pdf"}


def export_suffix_refusal(out: Path, fmt: str) -> str | None:
    """Why ``--out`` does not suit ``--format`` (a zip named .csv, a PDF named .json), or
    None: the file's name ending must say what it holds."""
    wanted = EXPORT_SUFFIX[fmt]
    if out.suffix.lower() == wanted or out.expanduser().is_dir():  # a folder: refused as such
        return None
    if out.name.startswith(".") and not out.suffix:  # ".json": an ending with no name
        return (
            f"--out {out} is only a name ending (it would be a hidden file): give a whole "
            f"file name, such as rethink-export{wanted}. Nothing has been written."
        )
    what = {"json": "a JSON file", "csv": "a zip of CSV files", "pdf": "a PDF"}[fmt]
    return (
        f"--out {out} does not suit --format {fmt}, which writes {what}: give a name ending "
        f"in {wanted}, such as {out.with_suffix(wanted).name}. Nothing has been written."
    )


def export_to_folder(target: Path, fmt: str) -> str:
    return (
        f"The export cannot be written to {target} because that is a folder. Nothing has been "
        "changed. Give a file name for --out, for example "
        f"{target / ('rethink-export' + EXPORT_SUFFIX[fmt])}."
    )


def cmd_export(paths: AppPaths, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from rethink_desktop.reports.exports import export
    from rethink_desktop.storage.database import StorageError
    from rethink_desktop.storage.records import names_kept

    target = Path(args.out).expanduser().absolute() if args.out is not None else None
    if target is not None and target.is_dir():
        err.write(export_to_folder(target, args.format) + "\n")
        return EXIT_PROBLEM
    db_path = database_for(paths, args.demo)
    in_the_way = file_in_the_way(db_path)
    if in_the_way is not None:
        err.write(in_the_way + "\n")
        return EXIT_PROBLEM
    from rethink_desktop.storage.database import demo_copy_refusal

    # A copy of the demo's records in place of the real ones: said, as check and the app
    # say it ("Exported 0 session(s)" told IT nothing), before opening upgrades it.
    demo_copy = None if args.demo else demo_copy_refusal(db_path)
    if demo_copy is not None:
        err.write(demo_copy + "\n")
        return EXIT_PROBLEM
    db = open_to_read(db_path, err, "export")
    if db is None:
        return EXIT_PROBLEM
    try:
        include_demo = args.include_demo or args.demo
        try:
            session_id = None
            if args.session is not None:
                session_id = session_for(db, args.session, err)
                if session_id is None:
                    return EXIT_PROBLEM
            # A PDF holds one session: only its names count (--session is refused otherwise).
            if not args.anonymise and names_kept(
                db, include_demo=include_demo, session_id=session_id
            ):
                err.write(
                    "Note: this export includes participants' names. "
                    "Use --anonymise to leave them out.\n"
                )
            n = export(
                db,
                args.format,
                target,
                session_id=session_id,
                anonymise=args.anonymise,
                include_demo=include_demo,
                stdout=out,
            )
            if target is None:
                out.flush()  # a full disk or a closed pipe shows here, not at the exit
        except BrokenPipeError:
            raise  # its reader stopped reading (``| head``): until_output_closes ends quietly
        except OSError as exc:
            log.warning("export failed: %s", type(exc).__name__)
            err.write(export_write_failure(exc, target, args.format) + "\n")
            return EXIT_PROBLEM
        except (ValueError, LookupError) as exc:
            err.write(f"Export failed: {exc}\n")
            return EXIT_PROBLEM
        except StorageError as exc:
            err.write(storage_words(exc, db_path, "export") + "\n")
            return EXIT_PROBLEM
        except sqlite3.DatabaseError as exc:
            log.warning("export could not read the records: %s", type(exc).__name__)
            err.write(
                "The export stopped: the records could not be read (they may have been "
                "changed or damaged at that moment). Nothing has been changed. Try again; if "
                "it happens again, run `rethink-desktop check`.\n"
            )
            return EXIT_PROBLEM
    finally:
        db.close()
    log.debug("export: %d session(s) as %s", n, args.format)
    if target is not None:
        err.write(f"Exported {n} session(s) to {target}\n")
    return EXIT_OK


def session_for(db: Database, name: str, err: TextIO) -> str | None:
    """The id of the one session ``--session NAME`` means (its id or its reference, in any
    case), or None, having said why: no session has it, or several share the reference."""
    from rethink_desktop.storage.history import sessions_called

    found = sessions_called(db, name)
    if len(found) == 1:
        return found[0]["id"]
    if not found:
        err.write(
            f"Export failed: There is no session with the reference or id {name}. Nothing "
            "has been written. History in the app shows each session's reference.\n"
        )
        return None
    err.write(
        f"--session {name}: {len(found)} sessions have that reference, so it does not say "
        "which one to summarise. Nothing has been written. Give the id of the one you mean "
        "instead:\n"
    )
    err.writelines(session_lines(found, "date"))
    return None


def cmd_backup(paths: AppPaths, args: argparse.Namespace, err: TextIO) -> int:
    from rethink_desktop.storage.database import StorageError, backup_database, present

    if args.demo:
        return refuse_demo(err)
    source = database_for(paths, args.demo)
    in_the_way = file_in_the_way(source)
    if in_the_way is not None:
        err.write(in_the_way + "\n")
        return EXIT_PROBLEM
    try:
        if not present(source):
            err.write(f"There is no database to back up at {source}.\n")
            return EXIT_PROBLEM
        written = backup_database(source, Path(args.out).expanduser())
    except StorageError as exc:
        err.write(storage_words(exc, source, "backup") + "\n")
        return EXIT_PROBLEM
    err.write(f"Backed up {source} to {written}\n")
    return EXIT_OK


# The options and arguments that name something; an empty one is refused, never taken as
# absent: `--data-dir "$DIR"` with DIR unset must not fall back to the real records.
NAMED_VALUES = (
    ("data_dir", "--data-dir", "a folder name"),
    ("out", "--out", "a file name"),
    ("session", "--session", "a session reference or id"),
    ("file", "FILE", "a file name"),
)


def empty_value_refusal(args: argparse.Namespace) -> str | None:
    """Why a value given on the command line cannot be used (empty, or not a name the
    computer can take), or None."""
    for attr, flag, what in NAMED_VALUES:
        value = getattr(args, attr, None)
        if value is None:
            continue
        where = f"{args.command} {flag}" if flag == "FILE" else flag
        if not value.strip():
            return (
                f"{where} needs {what}, but was given an empty one (a variable that is not "
                "set?). Nothing has been changed."
            )
        if "\x00" in value:
            return f"{where}: {value!r} is not {what} (it contains a NUL character)."
    return None


def prepare_standard_streams() -> set[str]:
    """Put the null device where a standard stream is missing; the names of those missing.

    Python sets ``sys.stdout`` (and the others) to None in a windowed Windows build and when
    the stream was closed (``>&-``): writing a message to it then raised after the records had
    been changed. A missing stdin reads as empty: the restore question is answered "no".
    """
    import atexit
    import os

    missing = set()
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            stand_in = open(os.devnull, mode, encoding="utf-8")  # noqa: SIM115
            atexit.register(stand_in.close)  # kept open (and referenced) until the exit
            setattr(sys, name, stand_in)
            missing.add(name)
    return missing


def escape_what_stdout_cannot_print() -> None:
    """A path that is not valid text (a Linux folder name in another encoding) is printed
    escaped, as stderr already does, rather than stopping a report half-way, or an import
    that has been done with a traceback. Never for an export to stdout: ``\\xe9`` in a JSON
    export is not JSON, and a name the stream cannot carry must fail in words instead."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")


def until_output_closes(run: Callable[[], int], streams: Sequence[TextIO] = ()) -> int:
    """``run()``'s exit status; or, if the reader of standard output or error stops reading
    (``| head``, ``| true``), ``EXIT_BROKEN_PIPE`` with no message, as other Unix tools end.

    What is still buffered is flushed here, so a closed pipe (or a full disk under
    ``> FILE``) shows before the exit rather than as Python's "Exception ignored" at it.
    Every command, and --help, runs under it.
    """
    streams = streams or (sys.stdout, sys.stderr)
    try:
        code = run()
    except SystemExit:  # --help, --version, a usage error: what argparse printed
        if isinstance(_flushed(streams), BrokenPipeError):
            return _cut_short()
        raise
    except BrokenPipeError:
        _flushed(streams)
        return _cut_short()
    except OutputFailed as exc:  # written as it went (PYTHONUNBUFFERED, or a long output)
        _flushed(streams)
        return _not_all_written(exc, "The command stopped:")
    error = _flushed(streams)
    if isinstance(error, BrokenPipeError):
        return _cut_short()
    if error is not None and code == EXIT_OK:  # a failed command has said why already
        return _not_all_written(error, "The command finished, but")
    return code


class OutputFailed(OSError):
    """A write to standard output failed (a full disk under ``> FILE``): an OSError still,
    for a command that words its own (export), else told by ``until_output_closes``."""


class _ToldOutput:
    """Standard output whose failed writes raise ``OutputFailed``, not a bare OSError that
    ended a command in a traceback (check's report on a full disk, output unbuffered)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        with _told():
            return self._stream.write(text)

    def writelines(self, lines: Iterable[str]) -> None:  # purge's list
        for line in lines:
            self.write(line)

    def flush(self) -> None:  # restore's question, before it waits
        with _told():
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _told() -> Iterator[None]:
    """A failed write as ``OutputFailed``; a closed pipe stays a BrokenPipeError."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputFailed(exc.errno, exc.strerror) from exc


def _not_all_written(error: OSError, start: str) -> int:
    why = error.strerror or type(error).__name__
    log.warning("the output could not all be written: %s", why)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(
            f"{start} its output could not all be written ({why}), so what was written is "
            "incomplete.\n"
        )
        sys.stderr.flush()
    return EXIT_PROBLEM


def _cut_short() -> int:
    log.info("standard output or error was closed by its reader: stopped quietly")
    return EXIT_BROKEN_PIPE


def _flushed(streams: Sequence[TextIO]) -> OSError | None:
    """Flush each stream; the first error, any stream that failed sent nowhere after it."""
    error = None
    for stream in streams:
        try:
            stream.flush()
        except OSError as exc:
            _quiet(stream)
            error = error or exc
    return error


def _quiet(out: TextIO) -> None:
    """Send what is left of ``out`` nowhere, so Python's flush at the exit does not report
    the closed pipe again."""
    try:
        fd = out.fileno()
    except (OSError, ValueError):  # not a real file (a test's StringIO)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    missing_streams = prepare_standard_streams()
    stdout = sys.stdout
    if stdout is not None:
        sys.stdout = _ToldOutput(stdout)  # type: ignore[assignment]
    try:
        return until_output_closes(lambda: run_command_line(argv, missing_streams))
    finally:
        sys.stdout = stdout


def run_command_line(argv: Sequence[str] | None, missing_streams: set[str]) -> int:
    """Parse the arguments, then run the command, or the app with none."""
    parser = build_parser()
    args = parser.parse_args(argv)
    refusal = empty_value_refusal(args)
    if refusal:
        parser.error(refusal)
    if not (args.command == "export" and not args.out):  # all but JSON on stdout
        escape_what_stdout_cannot_print()
    if args.speed is not None and (not args.demo or not 1 <= args.speed <= 120):
        parser.error("--speed needs --demo and a value from 1 to 120")
    if args.command == "export" and args.session and args.format != "pdf":
        # A JSON or CSV export holds every session; silently ignoring --session would hand
        # IT a file with far more in it than they asked for.
        parser.error("--session is for --format pdf; a JSON or CSV export holds every session")
    if args.command == "export" and args.format == "pdf" and (not args.session or not args.out):
        # Checked here, before the records are read (and a names note printed for them all).
        parser.error("--format pdf summarises one session: give --session SESSION --out FILE.pdf")
    if args.command == "export" and args.format == "csv" and args.out is None:
        parser.error("--format csv writes a zip of CSV files: give --out FILE.zip")
    if args.command == "export" and args.out is not None:
        refusal = export_suffix_refusal(Path(args.out), args.format)
        if refusal:
            parser.error(refusal)
    # The config comes first: it can move the data folder and set the log level.
    config = load_config()
    paths = resolve_paths(args.data_dir, config_data_dir=config.data_dir)
    setup_logging(paths, args.debug, config.log_level)
    log.info("%s %s starting (command: %s)", APP_DISPLAY_NAME, __version__, args.command)
    for path in config.files_read:
        log.info("config file read: %s", path)
    for warning in config.warnings:
        log.warning("config: %s", warning)
    # Paths and settings only: never names, references or anything a facilitator typed.
    log.debug(
        "data folder %s (from %s), database %s, config folder %s, log folder %s",
        paths.data_dir,
        paths.source,
        database_for(paths, args.demo),
        paths.config_dir,
        paths.log_dir,
    )
    log.debug(
        "settings: %s; locked: %s",
        ", ".join(f"{k}={format_value(v)}" for k, v in config.values().items()),
        ", ".join(sorted(config.locked)) or "nothing",
    )
    if args.demo and not config.allow_demo:
        log.warning("--demo refused: allow_demo is false (%s)", config.sources["allow_demo"])
        if args.command is None:  # a desktop start: no console to read, so a dialog
            from rethink_desktop.ui.app import show_refusal

            show_refusal(args, demo_refused_message(config))
        else:
            print(demo_refused_message(config), file=sys.stderr)  # print: stderr may be None
        return EXIT_USAGE
    started = time.perf_counter()
    if args.command == "check":
        code = cmd_check(paths, args.demo, sys.stdout, config)
    elif args.command == "export" and args.out is None and "stdout" in missing_streams:
        print(
            "The JSON export goes to standard output, but there is none (it is closed). "
            "Nothing has been written. Give a file to write with --out FILE.",
            file=sys.stderr,
        )
        code = EXIT_PROBLEM
    elif args.command == "export":
        code = cmd_export(paths, args, sys.stdout, sys.stderr)
    elif args.command == "backup":
        code = cmd_backup(paths, args, sys.stderr)
    elif args.command in RECORD_COMMANDS:
        code = run_record_command(paths, args, sys.stdout, sys.stderr, sys.stdin, config)
    else:
        code = None
    if code is not None:
        elapsed = (time.perf_counter() - started) * 1000
        log.debug("%s finished with exit status %d in %.0f ms", args.command, code, elapsed)
        return code
    from rethink_desktop.ui.app import run_app

    return run_app(paths, args, config)
