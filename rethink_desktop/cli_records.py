"""The records commands of the command line: ``import``, ``restore`` and ``purge``.

Kept apart from ``cli.py`` so that file stays a short list of commands. Each command that
changes the database takes the app's lock file first (as a second copy of the app would),
so it never runs while the app, or another of these commands, has the same database.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rethink_desktop.storage.config import MAX_RETENTION_MONTHS, Config, load_config
from rethink_desktop.storage.paths import AppPaths, nearest_existing

if TYPE_CHECKING:
    from rethink_desktop.storage.database import Database

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2
# As the demo window, whose Import, Back up, Restore and Remove old records are disabled.
DEMO_KEPT_APART = (
    "The trainers' demo keeps only its fictional network, apart from real records: nothing is "
    "imported into it, restored over it, purged from it or backed up from it (run the command "
    "without --demo for the real records)."
)
RECORD_COMMANDS = ("import", "restore", "purge")

log = logging.getLogger(__name__)


# What a command that saves nothing did not do, when another program holds the records.
NOT_DONE = {
    "export": "they could not be read just now. Nothing has been changed or written",
    "backup": "they could not be backed up just now. Nothing has been changed or written",
    "dry-run": "they could not be looked through just now. Nothing has been changed",
    "purge": "nothing could be removed just now. Nothing has been changed",
    "import": "nothing could be imported just now. Nothing has been changed",
}


# What a full disk kept a records command from doing (it changed nothing: one transaction,
# or a restore's copy put in place only once whole).
FULL_NOT_DONE = {
    "import": "nothing could be imported",
    "restore": "the backup could not be restored",
    "purge": "nothing could be removed",
}


def storage_words(exc: Any, db_path: Path, command: str) -> str:
    """A ``StorageError``'s message, reworded where its words are not this command's: the
    ``DiskFullError`` and ``LockedError`` words are for a live session's save ("the last
    action could not be saved… then carry on"), and a records file its permissions keep from
    this user is not "a drive that is not connected"."""
    import os

    from rethink_desktop.storage.database import DiskFullError, LockedError

    if isinstance(exc, DiskFullError) and command in FULL_NOT_DONE:
        return exc.for_command(FULL_NOT_DONE[command])
    if isinstance(exc, LockedError) and command in NOT_DONE:
        return (
            f"The records ({db_path}) are in use by another program, which holds them locked, "
            f"so {NOT_DONE[command]}. Wait for that program to finish (or close it), then "
            "try again."
        )
    try:
        unreadable = db_path.is_file() and not os.access(db_path, os.R_OK)
    except OSError:
        unreadable = False
    if unreadable:
        return (
            f"The records file {db_path} cannot be read: its permissions do not allow this "
            "user (its mode was changed, or it belongs to another user). Nothing has been "
            "changed. Ask IT to make it readable and writable by this user (on Linux and "
            "macOS: owned by the user, mode 0600)."
        )
    return exc.for_check() if command == "check" else exc.message


def file_in_the_way(db_path: Path) -> str | None:
    """The words ``check`` and ``import`` use for a file where the data folder (or a folder
    on the way to it) should be, or None; ``export``, ``backup`` and ``purge --dry-run``,
    which take no lock to name it, said "no database"."""
    import errno
    import os

    from rethink_desktop.storage.database import classify

    try:
        if nearest_existing(db_path.parent).is_dir():
            return None
    except OSError:  # a name too long: left for the commands' own words
        return None
    exc = NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(db_path.parent))
    found = classify(exc, db_path)
    return found.message if found is not None else None


def refuse_demo(err: TextIO) -> int:
    """``--demo`` with a records command (import, restore, purge, backup): refused."""
    err.write(f"{DEMO_KEPT_APART} Nothing has been changed.\n")
    return EXIT_PROBLEM


def add_record_commands(commands: Any) -> None:
    """Add ``import``, ``restore`` and ``purge`` to the CLI's subparsers."""
    imp = commands.add_parser(
        "import", help="merge another laptop's JSON export (new sessions added, by id)"
    )
    imp.add_argument("file", metavar="FILE.json", help="a JSON export from Re-Think Desktop")
    imp.add_argument(
        "--keep-names",
        action="store_true",
        help="keep participants' names found in the file (refused where IT has locked "
        "keep_names = false)",
    )
    res = commands.add_parser("restore", help="replace the database with a backup")
    res.add_argument("file", metavar="FILE", help="the backup to restore")
    res.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    pur = commands.add_parser("purge", help="remove sessions that finished long ago")
    pur.add_argument(
        "--older-than",
        type=int,
        metavar="MONTHS",
        default=None,
        help="months since a session finished (default: the retention_months setting)",
    )
    pur.add_argument("--dry-run", action="store_true", help="only list what would be removed")


@contextlib.contextmanager
def _app_lock(db_path: Path, err: TextIO) -> Iterator[bool]:
    """Hold the app's lock on this database; yields False, having said why, if the app or
    another records command has it or the data folder cannot be made or written (as the app
    itself tells them apart at start-up)."""
    from rethink_desktop.ui.lock import DataFolderError, acquire_lock, in_use_message

    try:
        lock = acquire_lock(db_path.with_suffix(".lock"), again="run the command again")
    except DataFolderError as exc:
        err.write(f"{exc.message}\n")
        lock = None
    else:
        if lock is None:
            what_next = "Close the app, or wait for the other command to finish, then try again."
            err.write(in_use_message(db_path, what_next) + "\n")
    try:
        yield lock is not None
    finally:
        if lock is not None:
            lock.unlock()


def open_to_read(db_path: Path, err: TextIO, command: str) -> Database | None:
    """The records opened to read them (``export``, ``purge --dry-run``), or None, having
    said why. Records of an older version are upgraded as they open, which changes them:
    that takes the app's lock, as a purge does, so it never happens under a running app."""
    from rethink_desktop.storage.database import StorageError, needs_upgrade, open_for_reading

    with contextlib.ExitStack() as held:
        if needs_upgrade(db_path) and not held.enter_context(_app_lock(db_path, err)):
            return None
        try:
            return open_for_reading(db_path)
        except StorageError as exc:
            err.write(storage_words(exc, db_path, command) + "\n")
            return None


def run_record_command(
    paths: AppPaths,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    stdin: TextIO,
    config: Config | None = None,
) -> int:
    db_path = paths.demo_database if args.demo else paths.database
    if args.demo:
        return refuse_demo(err)
    config = load_config() if config is None else config
    if args.command == "import":
        if args.keep_names and config.is_locked("keep_names") and not config.keep_names:
            return refuse_keep_names(config, err)
        return cmd_import(db_path, args, out, err)
    if args.command == "restore":
        return cmd_restore(db_path, paths.backups_dir, args, out, err, stdin)
    if (
        args.older_than is not None
        and config.is_locked("retention_months")
        and args.older_than < config.retention_months
    ):
        return refuse_younger_than_kept(args.older_than, config, err)
    months = args.older_than if args.older_than is not None else config.retention_months
    return cmd_purge(
        db_path,
        paths.backups_dir,
        months,
        args.dry_run,
        out,
        err,
        safety_copy_days=config.safety_copy_days,
    )


def refuse_younger_than_kept(months: int, config: Config, err: TextIO) -> int:
    """``purge --older-than`` under a ``retention_months`` IT has locked: as the app's
    Remove old records… cannot go below it, neither may the command line."""
    kept = config.retention_months
    err.write(
        f"--older-than {months} cannot be used on this computer: IT keeps records for "
        f"{kept} months (retention_months, {config.sources['retention_months']}), so "
        f"younger sessions may not be removed. Nothing has been changed. Use --older-than "
        f"{kept} or more, or leave it out.\n"
    )
    return EXIT_PROBLEM


def refuse_keep_names(config: Config, err: TextIO) -> int:
    """``import --keep-names`` where IT has locked ``keep_names = false``: the app's Import
    drops names there, so the command line may not keep them either."""
    err.write(
        "--keep-names cannot be used on this computer: IT has set keep_names = false "
        f"({config.sources['keep_names']}), so participants' names are not kept. Nothing has "
        "been imported. Run the import without --keep-names to add the sessions with agency "
        "and role only.\n"
    )
    return EXIT_PROBLEM


def cmd_import(db_path: Path, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from rethink_desktop.reports.importer import ImportFileError, import_export
    from rethink_desktop.storage.database import StorageError
    from rethink_desktop.storage.eventlog import EventStore

    with _app_lock(db_path, err) as locked:
        if not locked:
            return EXIT_PROBLEM
        try:
            with EventStore.open(db_path) as store:
                report = import_export(store, Path(args.file), keep_names=args.keep_names)
        except ImportFileError as exc:
            err.write(f"{exc.message}\n")
            return EXIT_PROBLEM
        except StorageError as exc:
            err.write(storage_words(exc, db_path, "import") + "\n")
            return EXIT_PROBLEM
    # At the default level: an import or a purge run by a scheduled task leaves a trace
    # (counts only, never a reference or a name).
    log.info(
        "import: %d added, %d already here, %d in conflict, %d left out",
        len(report.added),
        len(report.skipped_identical),
        len(report.conflicts),
        len(report.left_out),
    )
    out.write(f"Imported {args.file}: {report.summary()}\n")
    for sid, reason in report.conflicts:
        out.write(f"  conflict  {sid}: {reason}\n")
    for sid, reason in report.left_out:
        out.write(f"  left out  {sid}: {reason}\n")
    return EXIT_OK


def cmd_restore(
    db_path: Path,
    backups_dir: Path,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    stdin: TextIO,
) -> int:
    from rethink_desktop.storage.backups import describe_backup, restore_backup
    from rethink_desktop.storage.database import StorageError

    try:
        info = describe_backup(Path(args.file))
    except StorageError as exc:
        err.write(f"{exc.message}\n")
        return EXIT_PROBLEM
    # Locked before it says what it will do: with the app open, it announced the restore
    # ("It will replace the records… A copy… is kept first"), then refused it.
    with _app_lock(db_path, err) as locked:
        if not locked:
            return EXIT_PROBLEM
        try:
            out.write(f"{info.describe()}\nIt will replace the records in {db_path}.\n")
            out.write("A copy of the current records is kept in the backups folder first.\n")
            # Out before anything is replaced, buffered or not: if no one reads it (``| true``,
            # a 141) or it cannot be written, the restore stops here, having changed nothing.
            out.flush()
        except BrokenPipeError:
            raise  # no one reads it: main's until_output_closes ends quietly (141)
        except OSError as exc:
            err.write(
                "Not restored: what it would replace could not be written to standard output "
                f"({exc.strerror or type(exc).__name__}). Nothing has been changed.\n"
            )
            return EXIT_PROBLEM
        if not args.yes:
            out.write("Restore this backup? [y/N] ")
            out.flush()
            line = stdin.readline()
            if not line:  # stdin closed or empty (a script): no answer is "no"
                out.write(
                    "\nNo answer could be read (standard input is closed); use --yes to "
                    "restore without being asked."
                )
            answer = line.strip().lower()
            if answer not in ("y", "yes"):
                out.write("\nNot restored. Nothing has been changed.\n")
                return EXIT_PROBLEM
        try:
            kept = restore_backup(db_path, info.path, safety_dir=backups_dir)
        except StorageError as exc:
            err.write(storage_words(exc, db_path, "restore") + "\n")
            return EXIT_PROBLEM
    out.write(f"Restored {info.path}.\n")
    if kept.kept():
        out.write(f"{kept.kept()}\n")
    return EXIT_OK


def cmd_purge(
    db_path: Path,
    backups_dir: Path,
    months: int,
    dry_run: bool,
    out: TextIO,
    err: TextIO,
    *,
    safety_copy_days: int | None = None,
) -> int:
    from rethink_desktop.core.clock import SystemClock
    from rethink_desktop.storage.database import StorageError, open_database, present
    from rethink_desktop.storage.retention import purge

    if not 1 <= months <= MAX_RETENTION_MONTHS:
        err.write(
            f"--older-than takes a whole number of months from 1 to {MAX_RETENTION_MONTHS} "
            "(20 years). Nothing was removed.\n"
        )
        return EXIT_USAGE  # the command line was wrong, as argparse says of "1.5"
    # Checked before the lock, which would make the folder; a file in the way is the
    # lock's to name, or, for a dry run, which takes none, named here.
    in_the_way = file_in_the_way(db_path) if dry_run else None
    if in_the_way is not None:
        err.write(in_the_way + "\n")
        return EXIT_PROBLEM
    try:
        missing = not present(db_path) and not db_path.parent.is_file()
    except StorageError as exc:  # a name the computer cannot use
        err.write(f"{exc.message}\n")
        return EXIT_PROBLEM
    if missing:
        err.write(
            f"There are no records at {db_path} (no database there), so there is nothing to "
            "remove. Nothing has been changed. Check the data folder setting (--data-dir).\n"
        )
        return EXIT_PROBLEM
    command = "dry-run" if dry_run else "purge"
    with contextlib.ExitStack() as held:
        # A dry run only reads, as an export does: no lock (a file made beside the records)
        # and no open for writing, so it lists what would go from records it may not change.
        if dry_run:
            db = open_to_read(db_path, err, command)
            if db is None:
                return EXIT_PROBLEM
        else:
            if not held.enter_context(_app_lock(db_path, err)):
                return EXIT_PROBLEM
            try:
                db = open_database(db_path, create=False)
            except StorageError as exc:
                err.write(storage_words(exc, db_path, command) + "\n")
                return EXIT_PROBLEM
        try:
            report = purge(
                db,
                months,
                SystemClock().now(),
                dry_run=dry_run,
                backups_dir=backups_dir,
                safety_copy_days=safety_copy_days,
            )
        except StorageError as exc:
            err.write(storage_words(exc, db_path, command) + "\n")
            return EXIT_PROBLEM
        finally:
            db.close()
    log.info("purge: %d session(s) (dry run: %s, %d months)", report.count, dry_run, months)
    out.write(report.summary() + "\n")
    if report.backup is not None:
        out.write(f"A backup was written first: {report.backup}\n")
    # Every one, a line each (a script may count or grep them): finished, reference, status, id.
    out.writelines(session_lines(report.sessions, "finished_at"))
    copies = report.safety_copies_summary()
    if copies is not None:
        out.write(copies + "\n")
        out.writelines(f"  {path}\n" for path in report.safety_copies)
    return EXIT_OK


def session_lines(rows: list[dict[str, Any]], day: str) -> list[str]:
    """A line a session, as the commands list them: its local day (from ``row[day]``),
    reference, status and id, in columns."""
    from rethink_desktop.core.clock import local_day

    width = max((len(row["reference"]) for row in rows), default=0)
    return [
        f"  {local_day(row[day])}  {row['reference']:<{width}}  {row['status']:<10}  {row['id']}\n"
        for row in rows
    ]
