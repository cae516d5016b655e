"""The command line, run as a real subprocess against real data folders."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from rethink_desktop import __version__
from rethink_desktop.cli import main
from rethink_desktop.core.clock import FakeClock
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.schema import SCHEMA_VERSION
from tests.helpers import running

pytestmark = pytest.mark.e2e


def cli(*args: str, env: dict | None = None, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rethink_desktop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_help_lists_the_commands():
    result = cli("--help")
    assert result.returncode == 0
    for word in ("--data-dir", "--demo", "--debug", "--version", "check", "export", "backup"):
        assert word in result.stdout


def test_the_global_options_may_also_follow_the_command(tmp_path):
    """``check --data-dir X`` was refused with argparse's bare "unrecognized arguments"."""
    data, _ = seeded(tmp_path)
    after = cli("check", "--data-dir", str(data), "--debug")
    assert after.returncode == 0, after.stdout + after.stderr
    assert f"{'data folder':<18} {data}  (from --data-dir)" in after.stdout
    assert f"{'sessions':<18} 1 completed" in after.stdout
    # Given on both sides, the one after the command wins; left out after, the one before.
    both = cli("--data-dir", str(tmp_path / "elsewhere"), "check", "--data-dir", str(data))
    assert f"{'data folder':<18} {data}  (from --data-dir)" in both.stdout
    demo = cli("--data-dir", str(data), "check", "--demo")
    assert f"{'database':<18} {data / 'demo.sqlite'}" in demo.stdout
    empty = cli("check", "--data-dir", "")
    assert empty.returncode == 2
    assert "--data-dir needs a folder name" in empty.stderr
    for command in ("check", "export", "backup", "import", "restore", "purge"):
        shown = cli(command, "--help")
        assert shown.returncode == 0
        assert "options that may also go before the command" in shown.stdout
        for option in ("--data-dir DIR", "--demo", "--debug"):
            assert option in shown.stdout, (command, option)


def test_the_readme_synopsis_brackets_every_option_a_command_does_without():
    """It showed ``export --format json|csv|pdf`` as if required; the format defaults to JSON."""
    import argparse
    import re

    from rethink_desktop.cli import build_parser

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    synopsis = readme.split("## Command line", 1)[1].split("```")[1]
    (commands,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    for name, parser in commands.choices.items():
        (line,) = [ln for ln in synopsis.splitlines() if ln.startswith(f"  {name} ")]
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag in line:
                    optional = re.search(rf"\[{flag}\b", line) is not None
                    assert optional is not action.required, (name, flag, line)


def test_version_comes_from_the_package_metadata_with_the_records_schema_it_writes():
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout == f"Re-Think Desktop {__version__} (records schema {SCHEMA_VERSION})\n"


def test_check_passes_once_the_app_has_made_its_database(tmp_path):
    data = tmp_path / "fresh"
    started = cli("--data-dir", str(data), "--quit-after-start",
                  env={"QT_QPA_PLATFORM": "offscreen"})  # fmt: skip
    assert started.returncode == 0, started.stderr
    result = cli("--data-dir", str(data), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed." in result.stdout
    assert str(data) in result.stdout


@pytest.mark.parametrize("demo", [False, True])
def test_check_reports_a_data_folder_with_no_database_and_creates_nothing(tmp_path, demo):
    """A mistyped --data-dir is said to hold no records (check made an empty database there
    and said nothing); a new computer, where the app has not started yet, still passes."""
    data = tmp_path / "typo"
    result = cli("--data-dir", str(data), *(["--demo"] if demo else []), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    records = data / ("demo.sqlite" if demo else "rethink.sqlite")
    assert f"There is no database at {records} yet, and none was created" in result.stdout
    assert "All checks passed; there are no records here yet." in result.stdout
    assert "Traceback" not in result.stderr
    assert not data.exists()
    data.mkdir()  # a folder without records in it: the same, and left empty
    again = cli("--data-dir", str(data), *(["--demo"] if demo else []), "check")
    assert again.returncode == 0
    assert f"There is no database at {records} yet" in again.stdout
    assert list(data.iterdir()) == []


def as_a_user(*args: str) -> subprocess.CompletedProcess:
    """The CLI with file permissions applying to it, as root too (its overrides dropped)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("root without setpriv: permissions would not apply")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]
    command = [*prefix, sys.executable, "-m", "rethink_desktop", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.skipif(sys.platform != "linux", reason="folder modes and /proc are Linux's")
def test_check_fails_for_a_data_folder_the_app_could_not_make_or_write(tmp_path):
    """A read-only empty folder, a missing one under a read-only parent, /proc/foo: check said
    "All checks passed; there are no records here yet." and the app then refused to start."""
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o555)
    try:
        for folder, said in (
            (read_only, "it is read-only or belongs to another user"),
            (read_only / "sub", "it is read-only or belongs to another user"),
            (Path("/proc/rethink-nowhere"), "cannot reach its data folder"),
        ):
            result = as_a_user("--data-dir", str(folder), "check")
            assert result.returncode == 1, result.stdout + result.stderr
            assert f"its data folder ({folder})" in result.stdout
            assert said in result.stdout
            assert "All checks passed" not in result.stdout
            assert "Traceback" not in result.stderr
        assert list(read_only.iterdir()) == []  # check made nothing, and left nothing
        assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "ro"]
    finally:
        read_only.chmod(0o755)


@pytest.mark.skipif(sys.platform != "linux", reason="Linux folder names may be any bytes")
def test_a_data_folder_whose_name_is_not_utf8_is_named_as_the_problem(tmp_path):
    """The app, import and purge said "the disk may be full" (Qt's lock file could not take
    the name); check passed."""
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/records-\xff"))
    data, _ = seeded(tmp_path)
    export = tmp_path / "e.json"
    assert cli("--data-dir", str(data), "export", "--out", str(export)).returncode == 0
    seeded_here = seeded(tmp_path)[0]
    seeded_here.rename(folder)
    before = (folder / "rethink.sqlite").read_bytes()
    said = "data folder " + os.fsdecode(tmp_path) + "/records-\\xff: its name is not valid text"
    for args in (
        ["check"],
        ["import", str(export)],
        ["purge", "--older-than", "1"],
        ["--quit-after-start"],
    ):
        result = cli("--data-dir", str(folder), *args, env={"QT_QPA_PLATFORM": "offscreen"})
        assert result.returncode == 1, (args, result.stdout + result.stderr)
        assert said in result.stdout + result.stderr
        assert "disk may be full" not in result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    assert (folder / "rethink.sqlite").read_bytes() == before


def test_check_uses_the_environment_variable(tmp_path):
    data = tmp_path / "from-env"
    EventStore.open(data / "rethink.sqlite").close()
    result = cli("check", env={"RETHINK_DATA_DIR": str(data)})
    assert result.returncode == 0
    assert "from RETHINK_DATA_DIR" in result.stdout


def test_check_fails_on_a_database_from_a_newer_version(tmp_path):
    data = tmp_path / "newer"
    data.mkdir()
    conn = sqlite3.connect(data / "rethink.sqlite")
    conn.execute("CREATE TABLE x (a)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = (data / "rethink.sqlite").read_bytes()
    result = cli("--data-dir", str(data), "check")
    assert result.returncode == 1
    assert "newer version of Re-Think Desktop" in result.stdout
    assert (data / "rethink.sqlite").read_bytes() == before


def test_check_fails_on_a_file_that_is_not_a_database(tmp_path):
    data = tmp_path / "junk"
    data.mkdir()
    (data / "rethink.sqlite").write_bytes(b"this is not sqlite" * 100)
    result = cli("--data-dir", str(data), "check")
    assert result.returncode == 1
    assert "problem" in result.stdout


def test_another_programs_database_is_refused_in_words_and_left_as_it_was(tmp_path):
    data = tmp_path / "foreign"
    data.mkdir()
    conn = sqlite3.connect(data / "rethink.sqlite")
    conn.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, token TEXT)")
    conn.commit()
    conn.close()
    before = (data / "rethink.sqlite").read_bytes()
    checked = cli("--data-dir", str(data), "check")
    started = cli("--data-dir", str(data), "--quit-after-start",
                  env={"QT_QPA_PLATFORM": "offscreen"})  # fmt: skip
    for done, said in ((checked, checked.stdout), (started, started.stderr)):
        assert done.returncode == 1
        assert "is not a Re-Think Desktop records file" in said
        assert "Traceback" not in done.stderr
    assert (data / "rethink.sqlite").read_bytes() == before
    assert sorted(p.name for p in data.iterdir()) == ["rethink.sqlite"]


def test_the_demo_s_records_in_place_of_the_real_ones_are_a_problem_and_not_opened(tmp_path):
    """The demo's file copied over rethink.sqlite passed check ("All checks passed"), and the
    app opened the demo's meeting under way as if it were a real one."""
    data = tmp_path / "d"
    data.mkdir()
    with EventStore.open(data / "demo.sqlite") as demo:
        running(3, FakeClock(), sink=demo.append, demo=True, reference="DEMO-001").next_turn()
    shutil.copyfile(data / "demo.sqlite", data / "rethink.sqlite")

    def events() -> list:
        conn = sqlite3.connect(data / "rethink.sqlite")
        try:
            return conn.execute("SELECT * FROM events ORDER BY rowid").fetchall()
        finally:
            conn.close()

    before = events()
    checked = cli("--data-dir", str(data), "check")
    started = cli("--data-dir", str(data), "--quit-after-start", "--unattended",
                  env={"QT_QPA_PLATFORM": "offscreen"})  # fmt: skip
    exported = cli("--data-dir", str(data), "export")  # said "Exported 0 session(s)"
    words = (
        f"The data folder {data} holds the trainers' demo records in place of the real ones: "
        f"{data / 'rethink.sqlite'} is a copy of the demo's file (1 fictional session)"
    )
    assert exported.stdout == ""
    for done, said in (
        (checked, checked.stdout), (started, started.stderr), (exported, exported.stderr)
    ):  # fmt: skip
        assert done.returncode == 1, said
        assert words in said
        assert "rethink-desktop restore FILE" in said
        assert "Traceback" not in done.stderr
    assert "All checks passed" not in checked.stdout
    assert "1 problem(s)" in checked.stdout
    assert "Resuming" not in started.stderr
    assert events() == before  # the demo's meeting was not resumed, paused or abandoned
    demo_checked = cli("--data-dir", str(data), "--demo", "check")
    assert demo_checked.returncode == 0, demo_checked.stdout  # the demo's own file is fine


def test_a_demo_copy_of_an_older_version_is_refused_before_it_is_upgraded(tmp_path):
    """The refusal came after the file was opened, which upgraded it (and wrote a
    pre-migration copy), then said "Nothing has been changed"."""
    from tests.helpers import back_to_schema_3

    data = tmp_path / "d"
    with EventStore.open(data / "rethink.sqlite") as copy:  # the demo's file, copied by hand
        running(3, FakeClock(), sink=copy.append, demo=True, reference="DEMO-001").end()
        back_to_schema_3(copy.db)
    before = (data / "rethink.sqlite").read_bytes()
    checked = cli("--data-dir", str(data), "check")
    started = cli("--data-dir", str(data), "--quit-after-start", "--unattended",
                  env={"QT_QPA_PLATFORM": "offscreen"})  # fmt: skip
    for done, said in ((checked, checked.stdout), (started, started.stderr)):
        assert done.returncode == 1, said
        assert "holds the trainers' demo records in place of the real ones" in said
    assert (data / "rethink.sqlite").read_bytes() == before  # not upgraded
    assert not (data / "backups").exists()  # no pre-migration copy either


def seeded(tmp_path, sessions: int = 1):
    """A data folder with ``sessions`` completed meetings; it and the last one's id."""
    data = tmp_path / "seeded"
    with EventStore.open(data / "rethink.sqlite") as store:
        for _ in range(sessions):
            clock = FakeClock()
            s = running(3, clock, sink=store.append)
            s.next_turn()
            clock.advance(42)
            s.end()
            s.complete()
    return data, s.id


def test_export_json_to_stdout_and_anonymised_file(tmp_path):
    data, sid = seeded(tmp_path)
    result = cli("--data-dir", str(data), "export", "--format", "json")
    assert result.returncode == 0
    doc = json.loads(result.stdout)
    assert doc["sessions"][0]["id"] == sid
    assert "includes participants' names" in result.stderr
    out = tmp_path / "anon.json"
    result = cli("--data-dir", str(data), "export", "--anonymise", "--out", str(out))
    assert result.returncode == 0
    assert "Person" not in out.read_text()
    assert "Exported 1 session(s)" in result.stderr


def test_export_to_a_closed_pipe_is_quiet_and_to_a_full_disk_is_worded(tmp_path):
    data, _ = seeded(tmp_path)
    export = [sys.executable, "-m", "rethink_desktop", "--data-dir", str(data), "export"]
    read, write = os.pipe()
    os.close(read)  # the reader has gone (``| head`` done) before anything was written
    try:
        closed = subprocess.run(
            [*export, "--anonymise"], stdout=write, stderr=subprocess.PIPE, text=True,
            timeout=60, check=False,
        )  # fmt: skip
    finally:
        os.close(write)
    assert closed.returncode == 141
    assert closed.stderr == ""
    if not os.path.exists("/dev/full"):
        return
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*export, "--anonymise"], stdout=full, stderr=subprocess.PIPE, text=True,
            timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith(
        "The disk is full, so the export to standard output stopped part-way"
    )
    assert "Errno" not in result.stderr
    assert result.stderr.count("\n") == 1


def unread(stream: str, *args: str, buffered: bool = True) -> subprocess.CompletedProcess:
    """The CLI with ``stream`` (stdout or stderr) a pipe whose reader has already gone, as
    in ``| true`` or ``| head -1``; the other one captured. ``buffered``: as a user runs it
    (PYTHONUNBUFFERED unset), so a closed pipe may show only when the output is flushed."""
    read, write = os.pipe()
    os.close(read)
    other = "stderr" if stream == "stdout" else "stdout"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    try:
        return subprocess.run(
            [sys.executable, "-m", "rethink_desktop", *args],
            **{stream: write, other: subprocess.PIPE},
            text=True,
            timeout=60,
            env=env if buffered else {**env, "PYTHONUNBUFFERED": "1"},
            check=False,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize("buffered", [True, False])
def test_every_command_ends_quietly_with_141_when_its_output_is_not_read(tmp_path, buffered):
    """check ended with a BrokenPipeError traceback and exit status 1 (--help and --version
    with "Exception ignored", exit 120); backup, which writes its summary to stderr, too,
    having made the copy."""
    data, _ = seeded(tmp_path)
    result = unread("stdout", "--data-dir", str(data), "check", buffered=buffered)
    assert (result.returncode, result.stderr) == (141, "")
    for args in (["--help"], ["--version"]):
        result = unread("stdout", *args, buffered=buffered)
        # Unbuffered, argparse's own write meets the closed pipe and ignores it.
        assert (result.returncode, result.stderr) == (141 if buffered else 0, ""), args
    result = unread("stderr", "--data-dir", str(data), "check", buffered=buffered)
    assert result.returncode == 0  # nothing written to stderr, nothing cut short
    backup = tmp_path / "copy.sqlite"
    result = unread("stderr", "--data-dir", str(data), "backup", "--out", str(backup),
                    buffered=buffered)  # fmt: skip
    assert (result.returncode, result.stdout) == (141, "")
    conn = sqlite3.connect(backup)  # made before its summary was written
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
    conn.close()


def to_a_full_disk(*args: str, buffered: bool = True) -> subprocess.CompletedProcess:
    """The CLI with standard output on a full disk (/dev/full); see :func:`unread`."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "rethink_desktop", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env=env if buffered else {**env, "PYTHONUNBUFFERED": "1"},
            check=False,
        )


def test_a_long_list_that_meets_a_file_size_limit_is_told_not_a_traceback(tmp_path):
    """Purge writes its list with writelines, which went past the guard on standard output:
    "OSError: [Errno 27] File too large" and a traceback, after the removal."""
    import resource

    data, _ = seeded(tmp_path, sessions=150)

    def four_kilobytes() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    args = ["--data-dir", str(data), "purge", "--dry-run", "--older-than", "1"]
    with open(tmp_path / "out.txt", "w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "rethink_desktop", *args],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=four_kilobytes,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.endswith(
        "The command stopped: its output could not all be written (File too large), so what "
        "was written is incomplete.\n"
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_lost_to_a_full_disk_at_the_exit_is_said_not_ignored(tmp_path):
    """Buffered, a report met the full disk only in Python's flush at the exit: "Exception
    ignored … No space left on device", exit status 120. Unbuffered (PYTHONUNBUFFERED=1),
    check's first line met it: a traceback."""
    data, _ = seeded(tmp_path)
    result = to_a_full_disk("--data-dir", str(data), "check")
    assert result.returncode == 1
    assert result.stderr == (
        "The command finished, but its output could not all be written (No space left on "
        "device), so what was written is incomplete.\n"
    )
    result = to_a_full_disk("--data-dir", str(data), "check", buffered=False)
    assert result.returncode == 1
    assert result.stderr == (
        "The command stopped: its output could not all be written (No space left on "
        "device), so what was written is incomplete.\n"
    )
    export = to_a_full_disk("--data-dir", str(data), "export", "--anonymise")
    assert export.returncode == 1
    assert export.stderr.startswith("The disk is full, so the export to standard output")
    assert export.stderr.count("\n") == 1  # its own words only


def test_export_csv_and_backup(tmp_path):
    data, _ = seeded(tmp_path)
    zipped = tmp_path / "records.zip"
    assert (
        cli("--data-dir", str(data), "export", "--format", "csv", "--out", str(zipped)).returncode
        == 0
    )
    assert zipped.stat().st_size > 0
    backup = tmp_path / "copy.sqlite"
    result = cli("--data-dir", str(data), "backup", "--out", str(backup))
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(backup)
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
    conn.close()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["export", "--out", "e.json"], "they could not be read just now"),
        (["backup", "--out", "b.sqlite"], "they could not be backed up just now"),
        (["purge", "--dry-run"], "they could not be looked through just now"),
    ],
)
def test_records_another_program_holds_are_not_said_to_have_lost_an_action(tmp_path, args, said):
    """These commands save nothing, yet said "so the last action could not be saved"."""
    data, _ = seeded(tmp_path)
    holder = sqlite3.connect(data / "rethink.sqlite", isolation_level=None)
    try:
        holder.execute("PRAGMA journal_mode = DELETE")
        holder.execute("BEGIN EXCLUSIVE")
        args = [str(tmp_path / a) if a.endswith((".json", ".sqlite")) else a for a in args]
        result = cli("--data-dir", str(data), *args)
    finally:
        holder.close()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "are in use by another program, which holds them locked" in result.stderr
    assert said in result.stderr
    assert "could not be saved" not in result.stderr
    assert not list(tmp_path.glob("[eb].*"))


@pytest.mark.skipif(sys.platform != "linux", reason="file modes and setpriv are Linux's")
def test_a_records_file_its_permissions_keep_from_the_user_is_said_so(tmp_path):
    """Mode 000: "Check that the folder exists and is available (… a USB or network drive
    is connected)", when the folder was there and the drive connected."""
    data, _ = seeded(tmp_path)
    export = tmp_path / "e.json"
    assert cli("--data-dir", str(data), "export", "--out", str(export)).returncode == 0
    export.chmod(0o644)
    (data / "rethink.sqlite").chmod(0o000)
    try:
        for args in (
            ["check"],
            ["export", "--out", str(tmp_path / "again.json")],
            ["backup", "--out", str(tmp_path / "b.sqlite")],
            ["import", str(export)],
            ["purge", "--dry-run"],
        ):
            result = as_a_user("--data-dir", str(data), *args)
            said = result.stdout + result.stderr
            assert result.returncode == 1, (args, said)
            assert "cannot be read: its permissions do not allow this user" in said
            assert "USB or network drive" not in said
    finally:
        (data / "rethink.sqlite").chmod(0o600)


def test_backup_without_a_database_says_so(tmp_path):
    result = cli("--data-dir", str(tmp_path / "empty"), "backup", "--out", str(tmp_path / "b"))
    assert result.returncode == 1
    assert "no database to back up" in result.stderr


def test_backup_onto_a_folder_gets_words_not_a_traceback(tmp_path):
    data, _ = seeded(tmp_path)
    folder = tmp_path / "usb"
    folder.mkdir()
    result = cli("--data-dir", str(data), "backup", "--out", str(folder))
    assert result.returncode == 1
    assert f"The backup cannot be written to {folder} because that is a folder." in result.stderr
    assert "Traceback" not in result.stderr
    assert list(folder.iterdir()) == []


def test_backup_onto_another_kind_of_file_leaves_it_and_says_so(tmp_path):
    data, _ = seeded(tmp_path)
    notes = tmp_path / "notes.txt"
    notes.write_text("the team's notes")
    result = cli("--data-dir", str(data), "backup", "--out", str(notes))
    assert result.returncode == 1
    assert f"There is already a file at {notes} that is not a Re-Think Desktop backup" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert notes.read_text() == "the team's notes"


def test_a_data_folder_that_is_a_file_gets_words_not_a_traceback(tmp_path):
    in_the_way = tmp_path / "records"
    in_the_way.write_text("not a folder")
    done = cli("--data-dir", str(in_the_way), "check")
    assert done.returncode == 1
    assert "a file is in the way" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert in_the_way.read_text() == "not a folder"


@pytest.mark.parametrize("deeper", [False, True])
def test_export_and_backup_name_a_file_in_the_way_as_check_and_import_do(tmp_path, deeper):
    """They said "There is no … database at …/rethink.sqlite"."""
    in_the_way = tmp_path / "records"
    in_the_way.write_text("not a folder")
    data = in_the_way / "deeper" if deeper else in_the_way
    for args in (
        ["check"],
        ["import", str(tmp_path / "x.json")],
        ["export", "--out", str(tmp_path / "e.json")],
        ["export"],
        ["backup", "--out", str(tmp_path / "b.sqlite")],
    ):
        done = cli("--data-dir", str(data), *args)
        said = done.stdout + done.stderr
        assert done.returncode == 1, (args, said)
        assert f"needs a folder at {in_the_way}, but a file is in the way" in said
        assert "There is no" not in said
    assert in_the_way.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "records"]


def test_the_file_in_the_way_is_named_even_higher_up(tmp_path):
    in_the_way = tmp_path / "records"
    in_the_way.write_text("not a folder")
    done = cli("--data-dir", str(in_the_way / "deeper"), "check")
    assert done.returncode == 1
    assert f"needs a folder at {in_the_way}, but a file is in the way" in done.stdout


def test_the_app_is_not_told_apart_from_a_file_in_the_way_as_another_copy(tmp_path):
    in_the_way = tmp_path / "records"
    in_the_way.write_text("not a folder")
    done = cli("--data-dir", str(in_the_way), "--quit-after-start",
               env={"QT_QPA_PLATFORM": "offscreen"})  # fmt: skip
    assert done.returncode == 1
    assert "a file is in the way" in done.stderr
    assert "already using" not in done.stderr


def test_a_data_folder_name_too_long_gets_words_not_a_traceback(tmp_path):
    data = tmp_path / ("x" * 300)
    backup = ["backup", "--out", str(tmp_path / "b.sqlite")]
    for command in (["check"], backup, ["purge"], ["--quit-after-start"]):
        done = cli("--data-dir", str(data), *command)
        assert done.returncode == 1
        assert f"cannot use the data folder {data}: its name is too long" in (
            done.stdout + done.stderr
        )
        assert "Traceback" not in done.stderr
    assert not list(tmp_path.glob("*.sqlite"))  # no backup written


def test_speed_needs_demo():
    result = cli("--speed", "10", "check")
    assert result.returncode == 2
    assert "--speed needs --demo" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_session_is_refused_for_a_whole_export(tmp_path, fmt):
    out = tmp_path / f"one.{fmt}"
    result = cli("--data-dir", str(tmp_path), "export", "--format", fmt, "--session", "x",
                 "--out", str(out))  # fmt: skip
    assert result.returncode == 2
    assert "--session is for --format pdf" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--data-dir", "", "purge", "--older-than", "1"], "--data-dir needs a folder name"),
        (["--data-dir", " ", "check"], "--data-dir needs a folder name"),
        (["export", "--format", "json", "--out", ""], "--out needs a file name"),
        (["export", "--format", "pdf", "--session", "", "--out", "x.pdf"],
         "--session needs a session reference or id"),
        (["backup", "--out", ""], "--out needs a file name"),
        (["import", ""], "import FILE needs a file name"),
        (["restore", "", "--yes"], "restore FILE needs a file name"),
    ],
)  # fmt: skip
def test_an_empty_value_is_a_usage_error_never_taken_as_absent(tmp_path, args, said):
    """`--data-dir "$DIR" purge` with DIR unset purged the real records (RETHINK_DATA_DIR's);
    `export --out ""` wrote the whole export, names included, to standard output."""
    real, sid = seeded(tmp_path)
    before = (real / "rethink.sqlite").read_bytes()
    result = cli(*args, env={"RETHINK_DATA_DIR": str(real)})
    assert result.returncode == 2, result.stdout + result.stderr
    assert said in result.stderr
    assert "Nothing has been changed." in result.stderr
    assert result.stdout == ""
    assert sid not in result.stdout
    assert (real / "rethink.sqlite").read_bytes() == before
    assert "Traceback" not in result.stderr


def test_a_data_dir_argument_with_a_nul_character_is_a_usage_error(tmp_path, capsys):
    """No shell can pass one, but main(argv) can: refused before anything is opened."""
    with pytest.raises(SystemExit) as stopped:
        main(["--data-dir", f"{tmp_path}/a\x00b", "import", str(tmp_path / "x.json")])
    assert stopped.value.code == 2
    assert "--data-dir: " in capsys.readouterr().err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("a")]


def test_a_config_data_dir_with_a_nul_character_is_a_warning_not_a_traceback(tmp_path):
    """The app, import and restore stopped with "embedded null byte"; check passed."""
    config = tmp_path / "nul.toml"
    config.write_text('data_dir = "/tmp/a\\u0000b"\n', encoding="utf-8")
    export = tmp_path / "e.json"
    data, _ = seeded(tmp_path)
    assert cli("--data-dir", str(data), "export", "--out", str(export)).returncode == 0
    env = {"RETHINK_CONFIG": str(config)}
    checked = cli("check", env=env)
    assert 'data_dir = "/tmp/a\\x00b" is not valid' in checked.stdout
    assert "contains a NUL character" in checked.stdout
    imported = cli("import", str(export), env=env)
    assert imported.returncode == 0, imported.stderr
    assert "Traceback" not in imported.stderr + checked.stderr


def test_an_empty_rethink_data_dir_counts_as_not_set(tmp_path):
    result = cli("check", env={"RETHINK_DATA_DIR": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(from platform default)" in result.stdout


def test_the_app_opens_and_quits_offscreen(tmp_path):
    data = tmp_path / "gui"
    result = cli(
        "--data-dir", str(data), "--quit-after-start", env={"QT_QPA_PLATFORM": "offscreen"}
    )
    assert result.returncode == 0, result.stderr
    assert (data / "rethink.sqlite").exists()


def test_debug_adds_detail_to_the_log_and_a_normal_run_does_not(tmp_path):
    data = tmp_path / "d"
    log = tmp_path / "home" / "state" / "rethink-desktop" / "log" / "rethink-desktop.log"
    EventStore.open(data / "rethink.sqlite").close()
    assert cli("--data-dir", str(data), "check").returncode == 0
    plain = log.read_text(encoding="utf-8")
    assert " INFO " in plain
    assert " DEBUG " not in plain
    assert cli("--data-dir", str(data), "--debug", "check").returncode == 0
    debug = log.read_text(encoding="utf-8")[len(plain) :]
    assert " DEBUG rethink_desktop.cli: data folder " + str(data) in debug
    assert "schema version " in debug
    assert "check finished with exit status 0" in debug


def test_check_words_a_full_drive_for_a_check(tmp_path, capsys, monkeypatch):
    """Not "the last action could not be saved … carry on": check saves nothing."""
    from rethink_desktop.storage import database
    from rethink_desktop.storage.database import DiskFullError

    data, _ = seeded(tmp_path)

    def full(path, *args, **kwargs):
        raise DiskFullError(path)

    monkeypatch.setattr(database, "open_database", full)  # as on a full drive
    assert main(["--data-dir", str(data), "check"]) == 1
    out = capsys.readouterr().out
    assert "is full, so they could not be opened to be checked" in out
    assert "the last action could not be saved" not in out


def test_json_on_a_stdout_that_cannot_carry_a_name_fails_in_words_never_as_bad_json(tmp_path):
    """Written with \xe9 escapes (not JSON) and exit 0 once check's escaping applied to
    every command; a Windows console or file in cp1252 meets this with any emoji."""
    data = tmp_path / "d"
    with EventStore.open(data / "rethink.sqlite") as store:
        s = running(3, FakeClock(), sink=store.append, participants=[
            {"id": f"p{i}", "name": name, "agency": "Health", "role": f"Role {i}"}
            for i, name in enumerate(("José", "Zoë", "Ana"), start=1)
        ])  # fmt: skip
        s.end()
        s.complete()
    result = cli("--data-dir", str(data), "export", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 1
    assert "Export failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Jos\\xe9" not in result.stdout


def test_check_loads_no_qt(tmp_path):
    """IT's self-check is plain Python: it loaded QtCore for three folder helpers."""
    data, _ = seeded(tmp_path)
    code = (
        "import sys\n"
        "from rethink_desktop.cli import main\n"
        f"code = main(['--data-dir', {str(data)!r}, 'check'])\n"
        "print('qt' if any(m.startswith('PySide6') for m in sys.modules) else 'no qt', code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip().endswith("no qt 0"), done.stdout + done.stderr


def test_an_import_from_a_folder_whose_name_stdout_cannot_print_ends_as_it_went(tmp_path):
    """The import was done, then its report stopped with a UnicodeEncodeError, exit 1."""
    data, _ = seeded(tmp_path)
    odd = tmp_path / "caf\udce9"  # the byte 0xE9: Latin-1 "é", not UTF-8
    odd.mkdir()
    assert cli("--data-dir", str(data), "export", "--out", str(odd / "x.json")).returncode == 0
    other = tmp_path / "other"
    done = cli(
        "--data-dir", str(other), "import", str(odd / "x.json"),
        env={"PYTHONIOENCODING": "utf-8:strict"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "1 added" in done.stdout + done.stderr
