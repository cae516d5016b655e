"""The records commands as real subprocesses: export pdf, import, restore, purge."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.storage.eventlog import EventStore
from tests.e2e.test_cli import as_a_user, cli, to_a_full_disk, unread
from tests.helpers import running

pytestmark = pytest.mark.e2e


def seeded(folder, *moments):
    with EventStore.open(folder / "rethink.sqlite") as store:
        ids = []
        for n, moment in enumerate(moments, start=1):
            clock = FakeClock(moment)
            s = running(3, clock, sink=store.append, reference=f"FN-{1000 + n}")
            s.next_turn()
            clock.advance(60)
            s.end()
            s.complete()
            ids.append(s.id)
    return ids


def count(folder) -> int:
    conn = sqlite3.connect(folder / "rethink.sqlite")
    try:
        return conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    finally:
        conn.close()


def test_export_pdf(tmp_path):
    (sid,) = seeded(tmp_path / "d", datetime(2026, 1, 5, 9, tzinfo=UTC))
    out = tmp_path / "s.pdf"
    result = cli("--data-dir", str(tmp_path / "d"), "export", "--format", "pdf",
                 "--session", sid, "--out", str(out), "--anonymise")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    missing = cli("--data-dir", str(tmp_path / "d"), "export", "--format", "pdf", "--out", str(out))
    assert missing.returncode == 2  # a usage error, as argparse's
    assert "--session" in missing.stderr


def test_export_pdf_warns_only_about_its_own_sessions_names(tmp_path):
    data = tmp_path / "d"
    (finished,) = seeded(data, datetime(2026, 1, 5, 9, tzinfo=UTC))
    with EventStore.open(data / "rethink.sqlite") as store:
        store.session(finished, FakeClock()).remove_names()
        waiting = running(3, FakeClock(), sink=store.append, reference="FN-2000")  # named
    note = "this export includes participants' names"
    for sid, warned in ((finished, False), (waiting.id, True)):
        out = tmp_path / f"{sid}.pdf"
        result = cli("--data-dir", str(data), "export", "--format", "pdf", "--session", sid,
                     "--out", str(out))  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert (note in result.stderr) is warned


def test_import_twice_then_bad_file(tmp_path):
    seeded(tmp_path / "a", datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 2, 5, 9, tzinfo=UTC))
    export = tmp_path / "a.json"
    assert cli("--data-dir", str(tmp_path / "a"), "export", "--out", str(export)).returncode == 0
    first = cli("--data-dir", str(tmp_path / "b"), "import", str(export))
    assert first.returncode == 0, first.stderr
    assert "2 added" in first.stdout
    again = cli("--data-dir", str(tmp_path / "b"), "import", str(export))
    assert "0 added, 2 already here" in again.stdout
    doc = json.loads(export.read_text())
    doc["format_version"] = 7
    bad = tmp_path / "future.json"
    bad.write_text(json.dumps(doc))
    refused = cli("--data-dir", str(tmp_path / "b"), "import", str(bad))
    assert refused.returncode == 1
    assert "newer version" in refused.stderr
    assert count(tmp_path / "b") == 2


def test_restore_asks_and_names_the_newest_session(tmp_path):
    data = tmp_path / "d"
    seeded(data, datetime(2026, 1, 5, 9, tzinfo=UTC))
    backup = tmp_path / "b.sqlite"
    assert cli("--data-dir", str(data), "backup", "--out", str(backup)).returncode == 0
    seeded(data, datetime(2026, 2, 5, 9, tzinfo=UTC), datetime(2026, 3, 5, 9, tzinfo=UTC))
    declined = cli("--data-dir", str(data), "restore", str(backup))  # no input: "no"
    assert declined.returncode == 1
    assert str(backup) in declined.stdout
    assert "FN-1001 of Mon 5 Jan 2026" in declined.stdout
    assert count(data) == 3
    done = cli("--data-dir", str(data), "restore", str(backup), "--yes")
    assert done.returncode == 0, done.stderr
    assert count(data) == 1
    assert list((data / "backups").glob("before-restore-*.sqlite"))
    junk = tmp_path / "junk.sqlite"
    junk.write_text("hello")
    refused = cli("--data-dir", str(data), "restore", str(junk), "--yes")
    assert refused.returncode == 1
    assert "not a Re-Think Desktop backup" in refused.stderr
    assert count(data) == 1
    # A backup cut short, and one that is not there: named as a backup, not as the records.
    half = tmp_path / "half.sqlite"
    half.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    damaged = cli("--data-dir", str(data), "restore", str(half), "--yes")
    assert damaged.returncode == 1
    assert f"The backup {half} is damaged, so it cannot be restored." in damaged.stderr
    assert "Traceback" not in damaged.stderr
    missing = cli("--data-dir", str(data), "restore", str(tmp_path / "gone.sqlite"), "--yes")
    assert missing.returncode == 1
    assert f"There is no backup file at {tmp_path / 'gone.sqlite'}." in missing.stderr
    assert "--data-dir" not in missing.stderr
    assert count(data) == 1


def test_restore_over_a_records_file_cut_short_keeps_it_aside_and_says_where(tmp_path):
    data = tmp_path / "d"
    seeded(data, datetime(2026, 1, 5, 9, tzinfo=UTC))
    backup = tmp_path / "b.sqlite"
    assert cli("--data-dir", str(data), "backup", "--out", str(backup)).returncode == 0
    live = data / "rethink.sqlite"
    live.write_bytes(live.read_bytes()[:5000])
    done = cli("--data-dir", str(data), "restore", str(backup), "--yes")
    assert done.returncode == 0, done.stderr
    (kept,) = data.glob("rethink.sqlite.corrupt-*")
    assert kept.stat().st_size == 5000
    assert f"it has been kept, unchanged, as {kept}." in done.stdout
    assert count(data) == 1


def test_demo_and_real_records_are_never_mixed(tmp_path):
    """A copy of the demo's file is not restored over real records, and nothing is imported
    into, restored over, purged from or backed up from the demo's (--demo), as in the demo
    window: each keeps only its own sessions."""
    data = tmp_path / "d"
    seeded(data, datetime(2026, 1, 5, 9, tzinfo=UTC))
    with EventStore.open(data / "demo.sqlite") as demo:
        running(3, FakeClock(), sink=demo.append, demo=True, reference="DEMO-001").end()
    demo_copy = tmp_path / "demo-copy.sqlite"
    shutil.copyfile(data / "demo.sqlite", demo_copy)  # a copy made by hand: the app makes none
    refused = cli("--data-dir", str(data), "restore", str(demo_copy), "--yes")
    assert refused.returncode == 1
    assert "a copy of the trainers' demo (1 fictional session)" in refused.stderr
    assert count(data) == 1
    real = tmp_path / "real.json"
    assert cli("--data-dir", str(data), "export", "--out", str(real)).returncode == 0
    for command in (
        ["import", str(real)],
        ["restore", str(demo_copy), "--yes"],
        ["purge", "--older-than", "1"],
        ["backup", "--out", str(tmp_path / "never.sqlite")],
    ):
        into_demo = cli("--data-dir", str(data), "--demo", *command)
        assert into_demo.returncode == 1, command
        assert "keeps only its fictional network" in into_demo.stderr, command
    assert not (tmp_path / "never.sqlite").exists()
    assert not list((data / "backups").glob("before-purge-*"))
    conn = sqlite3.connect(data / "demo.sqlite")
    assert conn.execute("SELECT reference, demo FROM sessions").fetchall() == [("DEMO-001", 1)]
    conn.close()


@pytest.mark.parametrize("months", ["0", "241", "100000"])
def test_purge_refuses_a_period_outside_one_to_240_months(tmp_path, months):
    data = tmp_path / "d"
    seeded(data, datetime(2015, 1, 5, 9, tzinfo=UTC))
    done = cli("--data-dir", str(data), "purge", "--older-than", months, "--dry-run")
    assert done.returncode == 2  # the command line was wrong, as for "1.5"
    assert "from 1 to 240" in done.stderr
    assert "Traceback" not in done.stderr
    assert count(data) == 1


def test_purge_dry_run_then_for_real(tmp_path):
    data = tmp_path / "d"
    seeded(data, datetime(2015, 1, 5, 9, tzinfo=UTC), datetime(2099, 1, 5, 9, tzinfo=UTC))
    dry = cli("--data-dir", str(data), "purge", "--older-than", "24", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "1 session from before" in dry.stdout
    assert "would be removed" in dry.stdout
    assert "FN-1001" in dry.stdout
    assert count(data) == 2
    real = cli("--data-dir", str(data), "purge", "--older-than", "24")
    assert real.returncode == 0, real.stderr
    assert "A backup was written first" in real.stdout
    assert count(data) == 1


@pytest.mark.skipif(sys.platform != "linux", reason="file modes and setpriv are Linux's")
def test_purge_dry_run_reads_records_it_may_not_change_and_lists_every_session(tmp_path, request):
    """It took the lock and opened the records to write, so a read-only records file in a
    read-only folder was refused (export read it); and it named 30, then "and 5 more"."""
    data = tmp_path / "d"
    moments = [datetime(2015, 1, 1, 9, tzinfo=UTC) + timedelta(days=n) for n in range(35)]
    ids = seeded(data, *moments)
    records = data / "rethink.sqlite"
    before = sorted(p.name for p in data.iterdir())
    records.chmod(0o444)
    data.chmod(0o555)

    def writable_again() -> None:
        data.chmod(0o700)
        records.chmod(0o600)

    request.addfinalizer(writable_again)
    dry = as_a_user("--data-dir", str(data), "purge", "--older-than", "24", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "35 sessions from before" in dry.stdout
    lines = dry.stdout.splitlines()[1:]
    assert [line.split()[-1] for line in lines] == ids  # every one, oldest first
    assert lines[0].split()[1:3] == ["FN-1001", "completed"]
    assert "more" not in dry.stdout
    assert sorted(p.name for p in data.iterdir()) == before  # no lock, no -wal, no -shm
    writable_again()
    assert count(data) == 35


@pytest.mark.parametrize(
    "command", [["import", "x.json"], ["purge", "--dry-run"], ["restore", "b.sqlite", "--yes"]]
)
def test_a_file_in_the_way_of_the_data_folder_is_named_not_a_traceback(tmp_path, command):
    in_the_way = tmp_path / "d"
    in_the_way.write_text("not a folder")
    (tmp_path / "x.json").write_text("{}")
    seeded(tmp_path / "other", datetime(2026, 1, 5, 9, tzinfo=UTC))
    shutil.copyfile(tmp_path / "other" / "rethink.sqlite", tmp_path / "b.sqlite")
    command = [str(tmp_path / word) if "." in word else word for word in command]
    done = cli("--data-dir", str(in_the_way), *command)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "a file is in the way" in done.stderr or "is a file, not a folder" in done.stderr
    assert "already using these records" not in done.stderr
    assert in_the_way.read_text() == "not a folder"


def test_purge_of_a_missing_data_folder_makes_nothing(tmp_path):
    data = tmp_path / "never-made"
    done = cli("--data-dir", str(data), "purge", "--older-than", "24")
    assert done.returncode == 1
    assert f"There are no records at {data / 'rethink.sqlite'}" in done.stderr
    assert "Nothing has been changed." in done.stderr
    assert "Nothing has been created" not in done.stderr
    assert not data.exists()


def test_import_keep_names_is_refused_when_it_locked_keep_names_off(tmp_path):
    seeded(tmp_path / "a", datetime(2026, 1, 5, 9, tzinfo=UTC))
    export = tmp_path / "a.json"
    assert cli("--data-dir", str(tmp_path / "a"), "export", "--out", str(export)).returncode == 0
    machine = tmp_path / "etc-xdg" / "rethink-desktop" / "config.toml"  # XDG_CONFIG_DIRS
    machine.parent.mkdir(parents=True)
    machine.write_text('keep_names = false\nlocked = ["keep_names"]\n', encoding="utf-8")
    refused = cli("--data-dir", str(tmp_path / "b"), "import", str(export), "--keep-names")
    assert refused.returncode == 1
    assert "--keep-names cannot be used on this computer" in refused.stderr
    assert f"locked by {machine}" in refused.stderr
    assert "Nothing has been imported." in refused.stderr
    assert not (tmp_path / "b").exists()
    plain = cli("--data-dir", str(tmp_path / "b"), "import", str(export))
    assert plain.returncode == 0, plain.stderr
    assert count(tmp_path / "b") == 1


def test_purge_may_not_go_below_a_retention_it_locked(tmp_path):
    """IT locked retention_months = 240; purge --older-than 1 removed every session."""
    data = tmp_path / "d"
    seeded(data, datetime(2015, 1, 5, 9, tzinfo=UTC))
    machine = tmp_path / "etc-xdg" / "rethink-desktop" / "config.toml"  # XDG_CONFIG_DIRS
    machine.parent.mkdir(parents=True)
    machine.write_text('retention_months = 240\nlocked = ["retention_months"]\n', "utf-8")
    refused = cli("--data-dir", str(data), "purge", "--older-than", "1")
    assert refused.returncode == 1
    assert "--older-than 1 cannot be used on this computer" in refused.stderr
    assert f"locked by {machine}" in refused.stderr
    assert "Use --older-than 240 or more" in refused.stderr
    assert count(data) == 1
    assert not (data / "backups").exists()
    kept = cli("--data-dir", str(data), "purge", "--older-than", "240", "--dry-run")
    assert kept.returncode == 0, kept.stderr
    assert count(data) == 1


def test_the_log_keeps_the_counts_of_an_import_never_names_or_references(tmp_path):
    """At the default level: an import run by a scheduled task left no trace."""
    seeded(tmp_path / "a", datetime(2026, 1, 5, 9, tzinfo=UTC))
    export = tmp_path / "a.json"
    assert cli("--data-dir", str(tmp_path / "a"), "export", "--out", str(export)).returncode == 0
    written = export.read_text(encoding="utf-8")
    assert "Person 1" in written  # the file has names and references
    assert "FN-1001" in written
    for debug in ([], ["--debug"]):
        done = cli("--data-dir", str(tmp_path / "b"), *debug, "import", str(export), "--keep-names")
        assert done.returncode == 0, done.stderr
    log = tmp_path / "home" / "state" / "rethink-desktop" / "log" / "rethink-desktop.log"
    text = log.read_text(encoding="utf-8")
    assert "INFO rethink_desktop.cli_records: import: 1 added, 0 already here" in text
    assert "INFO rethink_desktop.cli_records: import: 0 added, 1 already here" in text
    assert "Person" not in text
    assert "FN-1001" not in text


@pytest.mark.parametrize(("fmt", "suffix"), [("json", ".json"), ("csv", ".zip"), ("pdf", ".pdf")])
def test_export_to_a_folder_or_past_a_file_is_refused_in_words(tmp_path, fmt, suffix):
    (sid,) = seeded(tmp_path / "d", datetime(2026, 1, 5, 9, tzinfo=UTC))
    folder = tmp_path / f"out{suffix}"
    folder.mkdir()
    session = ["--session", sid] if fmt == "pdf" else []
    export = ["--data-dir", str(tmp_path / "d"), "export", "--format", fmt, "--anonymise", *session]
    into_folder = cli(*export, "--out", str(folder))
    assert into_folder.returncode == 1
    assert f"The export cannot be written to {folder} because that is a folder." in (
        into_folder.stderr
    )
    assert f"for example {folder / ('rethink-export' + suffix)}" in into_folder.stderr
    assert list(folder.iterdir()) == []
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("x")
    past_a_file = cli(*export, "--out", str(in_the_way / f"e{suffix}"))
    assert past_a_file.returncode == 1
    assert f"{in_the_way} is a file, not a folder. Nothing has been changed." in (
        past_a_file.stderr
    )
    for said in (into_folder.stderr, past_a_file.stderr):
        assert ".part" not in said
        assert "Errno" not in said
        assert "Traceback" not in said


@pytest.mark.parametrize(
    ("fmt", "out", "wanted"),
    [("csv", "e.csv", ".zip"), ("pdf", "e.json", ".pdf"), ("json", "e.zip", ".json"),
     ("json", "export", ".json")],
)  # fmt: skip
def test_export_refuses_a_file_name_that_does_not_suit_the_format(tmp_path, fmt, out, wanted):
    (sid,) = seeded(tmp_path / "d", datetime(2026, 1, 5, 9, tzinfo=UTC))
    session = ["--session", sid] if fmt == "pdf" else []
    done = cli("--data-dir", str(tmp_path / "d"), "export", "--format", fmt, *session,
               "--out", str(tmp_path / out))  # fmt: skip
    assert done.returncode == 2
    assert f"does not suit --format {fmt}" in done.stderr
    assert f"give a name ending in {wanted}, such as {Path(out).stem}{wanted}." in done.stderr
    assert "Nothing has been written." in done.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "d"]
    upper = tmp_path / f"E{wanted.upper()}"
    ok = cli("--data-dir", str(tmp_path / "d"), "export", "--format", fmt, *session,
             "--anonymise", "--out", str(upper))  # fmt: skip
    assert ok.returncode == 0, ok.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--format", "pdf", "--out", "x.pdf"], "give --session SESSION --out FILE.pdf"),
        (["--format", "pdf", "--session", "SID"], "give --session SESSION --out FILE.pdf"),
        (["--format", "csv"], "--format csv writes a zip of CSV files: give --out FILE.zip"),
    ],
)
def test_an_export_missing_what_its_format_needs_is_a_usage_error(tmp_path, args, said):
    """Exit 1 after the export started, and for a PDF a note about names in every session."""
    (sid,) = seeded(tmp_path / "d", datetime(2026, 1, 5, 9, tzinfo=UTC))
    args = [sid if a == "SID" else a for a in args]
    done = cli("--data-dir", str(tmp_path / "d"), "export", *args)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr
    assert "participants' names" not in done.stderr
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == [tmp_path / "d"]


@pytest.mark.parametrize("fmt", ["json", "csv", "pdf"])
def test_an_out_that_is_only_a_name_ending_suggests_a_whole_name(tmp_path, fmt):
    """`--out .json` was told "such as .json.json"."""
    wanted = {"json": ".json", "csv": ".zip", "pdf": ".pdf"}[fmt]
    session = ["--session", "x"] if fmt == "pdf" else []
    done = cli("--data-dir", str(tmp_path / "d"), "export", "--format", fmt, *session,
               "--out", str(tmp_path / wanted))  # fmt: skip
    assert done.returncode == 2
    assert f"such as rethink-export{wanted}." in done.stderr
    assert f"{wanted}{wanted}" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def closed(stream: str, *args: str) -> subprocess.CompletedProcess:
    """The CLI with one standard stream closed (`>&-`, as Python then has it None; a windowed
    Windows build has them None too)."""
    redirect = {"stdin": "<&-", "stdout": ">&-", "stderr": "2>&-"}[stream]
    command = [sys.executable, "-m", "rethink_desktop", *args]
    return subprocess.run(
        ["sh", "-c", f'"$@" {redirect}', "sh", *command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_closed_or_missing_standard_stream_never_turns_a_done_action_into_a_failure(tmp_path):
    """import, purge and export changed or wrote the records, then crashed writing their
    message to a missing stream (exit 1, a traceback)."""
    data, other = tmp_path / "d", tmp_path / "other"
    seeded(data, datetime(2020, 1, 5, 9, tzinfo=UTC), datetime(2020, 2, 5, 9, tzinfo=UTC))
    export = tmp_path / "all.json"
    done = closed("stderr", "--data-dir", str(data), "export", "--out", str(export))
    assert done.returncode == 0, done.stdout
    assert len(json.loads(export.read_text())["sessions"]) == 2

    imported = closed("stdout", "--data-dir", str(other), "import", str(export))
    assert imported.returncode == 0, imported.stderr
    assert "Traceback" not in imported.stderr
    assert count(other) == 2

    purged = closed("stdout", "--data-dir", str(other), "purge", "--older-than", "1")
    assert purged.returncode == 0, purged.stderr
    assert "Traceback" not in purged.stderr
    assert count(other) == 0

    checked = closed("stdout", "--data-dir", str(data), "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == ""


def test_json_to_a_closed_standard_output_is_refused_in_words(tmp_path):
    data = tmp_path / "d"
    seeded(data, datetime(2020, 1, 5, 9, tzinfo=UTC))
    result = closed("stdout", "--data-dir", str(data), "export", "--format", "json")
    assert result.returncode == 1
    assert "there is none (it is closed). Nothing has been written." in result.stderr
    assert "--out FILE" in result.stderr
    assert "Traceback" not in result.stderr


def test_restore_with_standard_input_closed_is_answered_no(tmp_path):
    data = tmp_path / "d"
    seeded(data, datetime(2026, 1, 5, 9, tzinfo=UTC))
    backup = tmp_path / "b.sqlite"
    assert cli("--data-dir", str(data), "backup", "--out", str(backup)).returncode == 0
    seeded(data, datetime(2026, 2, 5, 9, tzinfo=UTC))
    result = closed("stdin", "--data-dir", str(data), "restore", str(backup))
    assert result.returncode == 1, result.stderr
    assert "No answer could be read (standard input is closed)" in result.stdout
    assert "Not restored. Nothing has been changed." in result.stdout
    assert "Traceback" not in result.stderr
    assert count(data) == 2


@pytest.mark.parametrize("kind", ["newer", "demo"])
def test_backup_writes_nothing_that_restore_would_refuse(tmp_path, kind):
    """`backup` said "Backed up…" (exit 0) of records from a newer version, and of the demo's
    file copied over rethink.sqlite; `restore --yes` of that backup was then refused."""
    data = tmp_path / "d"
    seeded(data, datetime(2026, 1, 5, 9, tzinfo=UTC))
    if kind == "demo":
        with EventStore.open(tmp_path / "demo.sqlite") as demo:
            running(3, FakeClock(), sink=demo.append, demo=True, reference="DEMO-001")
        shutil.copyfile(tmp_path / "demo.sqlite", data / "rethink.sqlite")
    else:
        conn = sqlite3.connect(data / "rethink.sqlite")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {version + 1}")
        conn.close()
    before = (data / "rethink.sqlite").read_bytes()
    out = tmp_path / "usb" / "b.sqlite"
    done = cli("--data-dir", str(data), "backup", "--out", str(out))
    assert done.returncode == 1, done.stderr
    assert "Backed up" not in done.stderr
    assert done.stderr.startswith("No backup was written. ")
    if kind == "demo":
        assert "holds the trainers' demo records in place of the real ones" in done.stderr
        assert "rethink-desktop restore FILE" in done.stderr
    else:
        assert "made by a newer version of Re-Think Desktop" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
    assert not out.parent.exists() or list(out.parent.iterdir()) == []
    assert (data / "rethink.sqlite").read_bytes() == before


def test_every_purge_removes_old_safety_copies_and_a_dry_run_lists_them(tmp_path):
    """A purge with no session old enough left before-restore, before-purge and
    pre-migration copies older than safety_copy_days in place, names and all."""
    data = tmp_path / "d"
    seeded(data, datetime.now(UTC) - timedelta(days=3))  # nothing old enough to purge
    backups = data / "backups"
    backups.mkdir()
    long_ago = (datetime.now(UTC) - timedelta(days=45)).strftime("%Y%m%dT%H%M%SZ")
    recent = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y%m%dT%H%M%SZ")
    stale = [
        backups / f"{prefix}-{long_ago}.sqlite"
        for prefix in ("before-restore", "before-purge", "pre-migration")
    ]
    kept = [backups / f"before-restore-{recent}.sqlite", backups / f"auto-{long_ago}.sqlite"]
    for path in stale + kept:
        shutil.copyfile(data / "rethink.sqlite", path)
    dry = cli("--data-dir", str(data), "purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "nothing would be removed" in dry.stdout
    assert "3 safety copies older than 30 days (safety_copy_days) would be removed:" in dry.stdout
    assert all(f"  {path}\n" in dry.stdout for path in stale)
    assert all(str(path) not in dry.stdout for path in kept)
    assert all(path.exists() for path in stale + kept)
    real = cli("--data-dir", str(data), "purge")
    assert real.returncode == 0, real.stderr
    assert "nothing removed" in real.stdout
    assert "3 safety copies older than 30 days (safety_copy_days) removed:" in real.stdout
    assert sorted(backups.iterdir()) == sorted(kept)
    assert count(data) == 1
    again = cli("--data-dir", str(data), "purge")
    assert "safety cop" not in again.stdout


@pytest.mark.parametrize("buffered", [True, False])
def test_a_records_command_whose_output_is_not_read_ends_quietly_with_141(tmp_path, buffered):
    """import and purge changed the records, then ended with a BrokenPipeError traceback and
    exit status 1. Their summary is written once the change is made; restore says what it will
    replace before it does, and stops there, changing nothing, if no one reads that."""
    data, other = tmp_path / "d", tmp_path / "other"
    seeded(data, datetime(2020, 1, 5, 9, tzinfo=UTC), datetime(2020, 2, 5, 9, tzinfo=UTC))
    export = tmp_path / "all.json"
    assert cli("--data-dir", str(data), "export", "--out", str(export)).returncode == 0
    backup = tmp_path / "b.sqlite"
    assert cli("--data-dir", str(data), "backup", "--out", str(backup)).returncode == 0

    def run(*args: str) -> subprocess.CompletedProcess:
        result = unread("stdout", "--data-dir", str(other), *args, buffered=buffered)
        assert (result.returncode, result.stderr) == (141, ""), args
        return result

    run("import", str(export))
    assert count(other) == 2
    run("purge", "--older-than", "1", "--dry-run")
    assert count(other) == 2
    run("restore", str(tmp_path / "b.sqlite"), "--yes")
    run("restore", str(tmp_path / "b.sqlite"))
    assert not (other / "backups").exists()  # no safety copy: nothing was replaced
    run("purge", "--older-than", "1")
    assert count(other) == 0
    again = cli("--data-dir", str(other), "import", str(export))  # the lock was let go
    assert "2 added" in again.stdout


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("buffered", [True, False])
def test_a_restore_that_cannot_say_what_it_replaces_changes_nothing(tmp_path, buffered):
    data = tmp_path / "d"
    seeded(data, datetime(2026, 1, 5, 9, tzinfo=UTC))
    backup = tmp_path / "b.sqlite"
    assert cli("--data-dir", str(data), "backup", "--out", str(backup)).returncode == 0
    seeded(data, datetime(2026, 2, 5, 9, tzinfo=UTC))
    result = to_a_full_disk("--data-dir", str(data), "restore", str(backup), "--yes",
                            buffered=buffered)  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "Not restored: what it would replace could not be written to standard output (No "
        "space left on device). Nothing has been changed.\n"
    )
    assert count(data) == 2


def test_a_large_import_is_read_in_two_parts_by_the_real_program(tmp_path):
    """``python -m rethink_desktop import``: the second process is a fresh Python that
    imports only the importer (the app's ``__main__`` is not run again in it)."""
    from benchmarks.generate import export_of_size
    from rethink_desktop.reports.importer import _PARTS_MIN_BYTES

    big = tmp_path / "big.json"
    finished = export_of_size(big, _PARTS_MIN_BYTES + 1024 * 1024)
    data = tmp_path / "d"
    result = cli("--data-dir", str(data), "--debug", "import", str(big), timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"{big}: {finished} added, 0 already here" in result.stdout
    assert result.stderr == ""
    assert count(data) == finished
    log = tmp_path / "home" / "state" / "rethink-desktop" / "log" / "rethink-desktop.log"
    logged = log.read_text(encoding="utf-8")
    assert "import: read in two parts at once" in logged
    assert "import: first part " in logged  # the debug line with each step's time
    # Only the first process wrote to the log (the second is silent), once.
    assert logged.count("starting (command: import)") == 1
