import pytest
from PySide6.QtCore import Qt

from rethink_desktop.core.agenda import phase_fields
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.ui.controller import SessionController
from tests.ui.conftest import finished_with_names, names_on_disk, start_live


def test_actions_are_durable_before_changed_fires(qtbot, controller, store):
    start_live(controller, 3)
    seen = []
    controller.changed.connect(
        lambda: controller.session and seen.append(len(store.events(controller.session.id)))
    )
    with qtbot.waitSignal(controller.changed):
        assert controller.act("next_turn")
    assert seen == [len(controller.session.events)]


def test_refused_action_becomes_a_notice_and_records_nothing(qtbot, controller):
    start_live(controller, 3)
    count = len(controller.session.events)
    with qtbot.waitSignal(controller.notice) as blocker:
        assert not controller.act("pass_turn")
    assert "no one can pass" in blocker.args[0]
    assert len(controller.session.events) == count


def test_start_shows_the_first_phase_opening_card(qtbot, controller, templates):
    tpl = templates["family-network"]
    start_live(controller, 3, phases=[phase_fields(p) for p in tpl.phases])
    assert controller.card.id == tpl.phases[0].opening_card
    assert controller.session.state.cards[-1].card_id == tpl.phases[0].opening_card
    controller.next_phase()
    assert controller.card.id == tpl.phases[1].opening_card


def test_undoing_a_phase_change_takes_its_card_back_too(qtbot, controller, templates):
    tpl = templates["family-network"]
    start_live(controller, 3, phases=[phase_fields(p) for p in tpl.phases])
    controller.step_card(-1)  # (Right goes on to the check-in card, the next phase's own)
    in_first_phase = controller.card.id
    assert in_first_phase != tpl.phases[1].opening_card
    controller.next_phase()  # N pressed by mistake
    assert controller.card.id == tpl.phases[1].opening_card
    assert controller.undo()
    assert controller.state.phase_index == 0
    assert controller.card.id == in_first_phase  # what the room saw in that phase
    assert controller.session.state.cards[-1].card_id == in_first_phase  # and recorded
    assert controller.redo()
    assert controller.state.phase_index == 1
    assert controller.card.id == tpl.phases[1].opening_card
    controller.act("next_turn")
    shown = len(controller.session.state.cards)
    assert controller.undo()  # not a phase change: the card stays as it is
    assert len(controller.session.state.cards) == shown


def test_an_undone_phase_change_is_said_after_its_card_goes_back(qtbot, controller, templates):
    """The card taken back with an undone N is shown as an action of its own, which cleared
    the message line: "Undone: back to phase 1, …" was said and wiped at once."""
    from rethink_desktop.ui.live import LiveView

    tpl = templates["family-network"]
    start_live(controller, 3, phases=[phase_fields(p) for p in tpl.phases])
    view = LiveView(controller)
    qtbot.addWidget(view)
    view.refresh()
    controller.next_phase()
    assert controller.undo()
    assert view.notice.text() == f"Undone: back to phase 1, {tpl.phases[0].name}."
    assert controller.redo()
    assert view.notice.text() == f"Redone: on to phase 2, {tpl.phases[1].name}."


def test_card_steps_are_recorded_during_a_session(qtbot, controller, deck):
    start_live(controller, 3)
    controller.step_card(1)
    controller.step_card(1)
    controller.step_card(-1)
    shown = [c.card_id for c in controller.session.state.cards]
    assert shown[-3:] == [deck.cards[1].id, deck.cards[2].id, deck.cards[1].id]


def test_the_arrows_step_over_welcomes_written_for_other_kinds_of_meeting(
    qtbot, controller, templates, deck
):
    """In a family network meeting Left/Right never reach "Welcome after proceedings" or
    "Welcome to a shared theme" (they went straight onto the wall screen); its own welcome
    and every other card are still there, both ways round."""
    tpl = templates["family-network"]
    start_live(controller, 3, phases=[phase_fields(p) for p in tpl.phases])
    own = tpl.phases[0].opening_card
    welcomes = {c.id for c in deck if c.phase == "opening" and c.kind == "prompt"}
    assert own in welcomes
    assert len(welcomes) == 3
    for delta in (1, -1):
        seen = []
        for _ in range(len(deck)):
            assert controller.step_card(delta)
            seen.append(controller.card.id)
        assert set(seen) == {c.id for c in deck} - (welcomes - {own})
    assert not any(c.card_id in welcomes - {own} for c in controller.session.state.cards)


def test_an_agenda_that_names_no_welcome_keeps_every_welcome_in_reach(qtbot, controller, deck):
    start_live(controller, 3)  # phases with no opening cards, as phases added by hand
    seen = set()
    for _ in range(len(deck)):
        assert controller.step_card(1)
        seen.add(controller.card.id)
    assert seen == {c.id for c in deck}


def test_storage_failure_keeps_state(qtbot, controller, store):
    start_live(controller, 3)
    before = controller.session.state
    page_count = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {page_count}")
    messages = []
    controller.storage_failed.connect(messages.append)
    for _ in range(100):
        if not controller.step_card(1):
            break
    store.db.execute("PRAGMA max_page_count = 1073741823")
    assert messages
    assert "disk is full" in messages[0]
    assert controller.session.state.status == before.status
    assert len(store.events(controller.session.id)) == len(controller.session.events)


def test_a_records_folder_deleted_mid_meeting_costs_one_key_press_not_the_session(
    qtbot, controller, store
):
    """Deleted while the app ran, the records went on into the deleted file and vanished
    when the app closed, without a word. Now the next key press writes them back."""
    import shutil

    start_live(controller, 3)
    assert controller.act("next_turn")
    before = len(controller.session.events)
    not_saved = []
    controller.storage_failed.connect(not_saved.append)
    shutil.rmtree(store.path.parent)
    assert not controller.act("next_turn")
    assert len(not_saved) == 1
    assert "written back" in not_saved[0]
    assert "do it again" in not_saved[0]
    assert len(controller.session.events) == before
    assert controller.act("next_turn")  # pressed again: saved, into the file at the path
    with EventStore.open(store.path) as again:
        assert len(again.events(controller.session.id)) == before + 1


def test_tick_is_scheduled_only_for_live_sessions(qtbot, store, clock, deck):
    ctl = SessionController(store, clock, deck)
    assert not ctl._timer.isActive()
    start_live(ctl, 2)
    assert ctl._timer.isActive()
    assert 1 <= ctl._timer.interval() <= 1000
    ctl.close_session()
    assert not ctl._timer.isActive()


def test_a_fast_demo_clock_ticks_after_the_second_changes_not_just_before(
    qtbot, store, clock, deck
):
    from rethink_desktop.core.clock import ScaledClock

    fast = ScaledClock(clock, 20)
    ctl = SessionController(store, fast, deck)
    start_live(ctl, 2)
    clock.advance(0.000075)  # the meeting clock 1.5 ms past a whole second: 999 ms to go
    ctl._schedule_tick()
    assert ctl._timer.interval() == 50  # 999 / 20 = 49.95 ms: 49 landed before it
    ctl.close_session()


def test_a_very_fast_demo_redraws_at_most_25_times_a_real_second(qtbot, store, clock, deck):
    """At ×120 a meeting second lasts 8 ms: the live screen and the wall were redrawn 120
    times a real second (a third of a core). Each tick still lands just after a whole second
    of the meeting clock, a few of them on."""
    from rethink_desktop.core.clock import ScaledClock

    fast = ScaledClock(clock, 120)
    ctl = SessionController(store, fast, deck)
    start_live(ctl, 2)
    clock.advance(0.0000125)  # the meeting clock 1.5 ms past a whole second
    ctl._schedule_tick()
    interval = ctl._timer.interval()
    assert 40 <= interval <= 50
    landing = (1.5 + interval * 120) % 1000  # meeting ms past a whole second
    assert landing < 120  # within one real millisecond after it
    ctl.close_session()


def test_a_paused_clock_ticks_once_a_second_not_every_millisecond(qtbot, store, clock, deck):
    # Paused a millisecond before a whole second of meeting time: that second never comes,
    # and aiming at it again and again would re-arm the timer every millisecond.
    ctl = SessionController(store, clock, deck)
    start_live(ctl, 2)
    clock.advance(100.999)
    assert ctl.act("toggle_pause")
    assert ctl._timer.interval() == 1000
    ctl._on_tick()
    assert ctl._timer.interval() == 1000
    clock.advance(30)
    assert ctl.act("toggle_pause")  # running again: back on the meeting clock's seconds
    assert 1 <= ctl._timer.interval() <= 1000
    assert ctl._timer.timerType() == Qt.TimerType.PreciseTimer


def test_an_unreadable_session_log_is_reported_not_raised(qtbot, controller, store):
    session = start_live(controller, 3)
    controller.close_session()
    store.db.execute(
        "INSERT INTO events (session_id, kind, at, data) VALUES (?, 'timer_set', ?, '{}')",
        [session.id, "2026-03-02T09:40:00.000000Z"],
    )
    store.db.conn.commit()
    messages, not_saved = [], []
    controller.read_failed.connect(messages.append)
    controller.storage_failed.connect(not_saved.append)
    assert controller.open_session(session.id) is None
    assert not_saved == []  # nothing was being saved
    assert "could not be read" in messages[0]
    assert "left exactly as it is" in messages[0]


def test_remove_names_leaves_no_copy_in_the_wal(qtbot, controller, store):
    start_live(controller, 3)
    controller.act("end")
    controller.act("complete")
    assert controller.remove_names()
    wal = store.path.with_name(store.path.name + "-wal")
    assert not wal.exists() or b"Person 1" not in wal.read_bytes()
    assert b"Person 1" not in store.path.read_bytes()
    assert store.db.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_finishing_records_completion_and_name_removal_together(qtbot, controller, store):
    start_live(controller, 3)
    assert controller.act("end")
    sid = controller.session.id
    assert controller.finish("complete", remove_names=True)
    kinds = [e.kind for e in store.events(sid)]
    assert kinds[-2:] == ["completed", "names_removed"]
    assert names_on_disk(store, sid) == [None, None, None]
    assert controller.state.status == "completed"


def test_finishing_keeps_the_sessions_export_text(qtbot, controller, store):
    start_live(controller, 3)
    assert controller.act("end")
    sid = controller.session.id
    assert controller.finish("complete", remove_names=True)
    last = store.db.execute("SELECT max(seq) FROM events WHERE session_id = ?", [sid])
    kept = store.db.execute("SELECT session_id, event_seq FROM export_texts").fetchall()
    assert kept == [(sid, last.fetchone()[0])]


def test_a_failed_name_removal_leaves_the_session_unfinished_on_disk_and_in_memory(
    qtbot, controller, store, monkeypatch
):
    from rethink_desktop.storage.database import DiskFullError

    start_live(controller, 3)
    assert controller.act("end")
    sid = controller.session.id
    logged = len(store.events(sid))
    real_append = store.append

    def full_disk_for_names(session_id, event, state=None):
        if event.kind == "names_removed":
            raise DiskFullError(store.path)
        return real_append(session_id, event, state)

    monkeypatch.setattr(store, "append", full_disk_for_names)
    controller.session._sink = full_disk_for_names  # the sink the session writes through
    with qtbot.waitSignal(controller.storage_failed) as failed:
        assert not controller.finish("complete", remove_names=True)
    assert "disk is full" in failed.args[0]
    assert len(store.events(sid)) == logged  # "completed" was rolled back with it
    assert controller.state.status == "closing"
    assert None not in names_on_disk(store, sid)
    monkeypatch.undo()
    controller.session._sink = store.append
    assert controller.finish("complete", remove_names=True)  # and again, it goes through
    assert [e.kind for e in store.events(sid)][-2:] == ["completed", "names_removed"]


def test_the_start_up_sweep_removes_names_of_many_sessions_in_one_go(qtbot, controller, store):
    ids = finished_with_names(controller, 3)
    assert all(None not in names_on_disk(store, sid) for sid in ids)
    assert controller.remove_names_of(ids) == 3
    assert all(names_on_disk(store, sid) == [None, None, None] for sid in ids)
    assert controller.remove_names_of([]) == 0


def test_a_failed_sweep_removes_no_names_at_all(qtbot, controller, store, monkeypatch):
    from rethink_desktop.storage.database import DiskFullError

    ids = finished_with_names(controller, 3)
    real_append = store.append
    calls = []

    def full_on_the_third(session_id, event, state=None):
        calls.append(session_id)
        if len(calls) == 3:
            raise DiskFullError(store.path)
        return real_append(session_id, event, state)

    monkeypatch.setattr(store, "append", full_on_the_third)
    with qtbot.waitSignal(controller.storage_failed):
        assert controller.remove_names_of(ids) == 0
    assert all(None not in names_on_disk(store, sid) for sid in ids)  # all rolled back


def test_a_sweep_that_cannot_read_the_file_says_so_as_a_read(qtbot, controller, store, monkeypatch):
    from rethink_desktop.storage.database import CorruptError

    ids = finished_with_names(controller, 2)
    not_saved = []
    controller.storage_failed.connect(not_saved.append)

    def damaged(session_id, clock):
        raise CorruptError(store.path)

    monkeypatch.setattr(store, "session", damaged)
    with qtbot.waitSignal(controller.read_failed) as failed:
        assert controller.remove_names_of(ids) == 0
    assert "damaged" in failed.args[0]
    assert not_saved == []
    assert all(None not in names_on_disk(store, sid) for sid in ids)


def test_one_unreadable_log_does_not_keep_the_names_of_the_others(qtbot, controller, store):
    ids = finished_with_names(controller, 3)
    store.db.execute(
        "INSERT INTO events (session_id, kind, at, data) VALUES (?, 'from_a_newer_build', ?, '{}')",
        [ids[0], "2030-01-01T00:00:00.000000Z"],
    )
    assert controller.remove_names_of(ids) == 2
    assert None not in names_on_disk(store, ids[0])  # left exactly as it is
    assert names_on_disk(store, ids[1]) == [None, None, None]
    assert names_on_disk(store, ids[2]) == [None, None, None]


def test_a_bug_during_finish_still_puts_memory_back_as_the_file_is(
    qtbot, controller, store, monkeypatch
):
    start_live(controller, 3)
    assert controller.act("end")
    sid = controller.session.id
    real_append = store.append

    def broken(session_id, event, state=None):
        if event.kind == "names_removed":
            raise RuntimeError("a bug")
        return real_append(session_id, event, state)

    controller.session._sink = broken
    with pytest.raises(RuntimeError):
        controller.finish("complete", remove_names=True)
    assert controller.state.status == "closing"
    assert [e.kind for e in store.events(sid)][-1] != "completed"
    assert controller.finish("complete", remove_names=True)
