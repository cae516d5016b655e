"""The live view: every key of the map, what it changes on screen and what it records."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt

from rethink_desktop.ui.keymap import LIVE_KEYS, keymap_markdown
from rethink_desktop.ui.live import LiveView, turn_tone
from rethink_desktop.ui.room_display import RoomDisplay
from tests.helpers import people
from tests.ui.conftest import larger_text, start_live


def shown_live(qtbot, controller, width: int = 1366, height: int = 768) -> LiveView:
    """The live view of the controller's running session, shown at ``width`` × ``height``."""
    view = LiveView(controller)
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    view.refresh()
    qtbot.waitExposed(view)
    return view


@pytest.fixture
def live(qtbot, controller):
    start_live(controller, 4)
    view = shown_live(qtbot, controller)
    view.setFocus()
    return view


def kinds(controller):
    return [e.kind for e in controller.session.events]


def press(qtbot, view, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(view, key, modifier)


def test_space_starts_the_first_turn_and_moves_on(qtbot, live, controller, clock):
    assert live.speaker.text() == "—"
    press(qtbot, live, Qt.Key.Key_Space)
    assert kinds(controller)[-1] == "next"
    assert live.speaker.text() == "Person 1"
    assert "Next: Person 2" in live.next_up.text()
    clock.advance(30)
    press(qtbot, live, Qt.Key.Key_Space)
    assert live.speaker.text() == "Person 2"


def test_the_fair_share_is_the_phase_left_shared_among_those_still_to_speak(
    qtbot, live, controller, clock
):
    # The first phase has 10 minutes; four people have yet to speak.
    assert live.fair_share.text() == "Fair share now: 2:30 each for the 4 still to speak"
    press(qtbot, live, Qt.Key.Key_Space)
    clock.advance(60)
    live.refresh_time()  # the speaker counts among those still to speak: 9:00 ÷ 4
    assert live.fair_share.text() == "Fair share now: 2:15 each for the 4 still to speak"
    for _ in range(3):
        clock.advance(60)
        press(qtbot, live, Qt.Key.Key_Space)
    assert live.speaker.text() == "Person 4"
    assert live.fair_share.text() == "Fair share now: 6:00 for the one still to speak"
    clock.advance(7 * 60)  # past the phase's ten minutes
    live.refresh_time()
    assert (
        live.fair_share.text() == "The phase's time is up, with the one still to speak this round"
    )


def test_p_records_a_pass(qtbot, live, controller):
    press(qtbot, live, Qt.Key.Key_Space)
    press(qtbot, live, Qt.Key.Key_P)
    assert kinds(controller)[-1] == "pass"
    assert controller.state.turns[0].passed
    row = live._rows["p1"]
    assert row.state.text() == "passed"
    assert row.mark.text() == "◌"


def test_ctrl_z_undoes_and_ctrl_shift_z_redoes(qtbot, live, controller):
    press(qtbot, live, Qt.Key.Key_Space)
    press(qtbot, live, Qt.Key.Key_Space)
    press(qtbot, live, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert kinds(controller)[-1] == "undo"
    assert live.speaker.text() == "Person 1"
    assert live.notice.text() == "Undone: Person 1 has the floor again."  # never silent
    press(
        qtbot,
        live,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert kinds(controller)[-1] == "redo"
    assert live.speaker.text() == "Person 2"
    assert live.notice.text() == "Redone: Person 2 has the floor."
    press(qtbot, live, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, live, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert live.notice.text() == "Undone: no one has the floor."


def test_undo_after_the_speaker_left_says_whose_turn_it_took_back(qtbot, live, controller, clock):
    """L ended the speaker's turn; Ctrl+Z then took back the step that gave them the floor
    and said only "Undone: the last step."."""
    press(qtbot, live, Qt.Key.Key_Space)
    clock.advance(40)
    assert controller.act("leave", "p1")
    press(qtbot, live, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert live.notice.text() == (
        "Undone: Person 1's turn is taken back; no one has the floor."
        " Person 1 is still recorded as gone (A brings them back)."
    )
    press(
        qtbot,
        live,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert live.notice.text() == (
        "Redone: Person 1's turn is back. Person 1 is still recorded as gone (A brings them back)."
    )


def test_number_keys_give_the_floor_to_a_seat(qtbot, live, controller):
    press(qtbot, live, Qt.Key.Key_3)
    assert kinds(controller)[-1] == "pick"
    assert controller.session.events[-1].data["participant_id"] == "p3"
    assert live.speaker.text() == "Person 3"
    press(qtbot, live, Qt.Key.Key_9)
    assert "No one sits in seat 9" in live.notice.text()


def test_r_starts_and_stops_the_space_timer(qtbot, live, controller, clock):
    press(qtbot, live, Qt.Key.Key_Space)
    press(qtbot, live, Qt.Key.Key_R)
    assert kinds(controller)[-1] == "space_started"
    clock.advance(65)
    live.refresh_time()
    assert live.space_line.isVisible()
    assert "1:05" in live.space_line.text()
    assert live.buttons["toggle_space"].accessibleName() == "End space"
    press(qtbot, live, Qt.Key.Key_R)
    assert kinds(controller)[-1] == "space_ended"
    assert not live.space_line.isVisible()
    assert live.buttons["toggle_space"].accessibleName() == "Space"
    # no one's talk time grew during the space
    assert controller.state.turn_seconds(controller.state.current_turn, controller.now()) == 0


def test_n_moves_to_the_next_phase(qtbot, live, controller):
    press(qtbot, live, Qt.Key.Key_N)
    assert "phase" in kinds(controller)
    assert live.phase_title.text().startswith("Phase 2 of 6")
    press(qtbot, live, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # N by mistake
    assert live.phase_title.text().startswith("Phase 1 of 6")
    assert live.notice.text() == "Undone: back to phase 1, Phase 1."
    press(qtbot, live, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert live.notice.text() == "Redone: on to phase 2, Phase 2."


def test_arrows_change_the_card_and_record_it(qtbot, live, controller, deck):
    index = controller.card_index
    press(qtbot, live, Qt.Key.Key_Right)
    assert kinds(controller)[-1] == "card_shown"
    assert controller.card_index == index + 1
    assert live.card_prompt.text() == deck.cards[index + 1].prompt
    press(qtbot, live, Qt.Key.Key_Left)
    assert controller.card_index == index


def test_h_and_b_change_the_room_display_but_record_nothing(qtbot, live, controller):
    display = RoomDisplay(controller)
    qtbot.addWidget(display)
    assert controller.show_card_id("clarity-1")  # a card for the room (not a guide)
    count = len(controller.session.events)
    prompt = controller.card.prompt
    assert prompt in display.visible_text()
    press(qtbot, live, Qt.Key.Key_H)
    assert prompt not in display.visible_text()
    assert "hidden" in live.card_display.text()
    press(qtbot, live, Qt.Key.Key_B)
    assert display.visible_text() == ""
    assert "blank" in live.card_display.text()
    press(qtbot, live, Qt.Key.Key_B)
    press(qtbot, live, Qt.Key.Key_H)
    assert prompt in display.visible_text()
    assert len(controller.session.events) == count


def test_the_laptop_says_what_the_wall_shows_when_blank_or_in_a_space(qtbot, live, controller):
    """After B, a guide card said only that guides never go to the wall (not that the wall
    was blank); in a space it said the card was on the wall, which showed the space."""
    display = RoomDisplay(controller)
    qtbot.addWidget(display)
    display.show()  # open: the line says what the wall shows now
    assert controller.show_card_id("clarity-1")
    press(qtbot, live, Qt.Key.Key_B)
    assert controller.show_card_id("guide-welcome")
    assert live.card_display.text() == "B: room display is blank"
    press(qtbot, live, Qt.Key.Key_B)
    assert live.card_display.text() == "A guide for you: never on the room display"
    assert controller.show_card_id("clarity-1")
    assert live.speaker_detail.text() == "Press Space to give the floor to the next person."
    press(qtbot, live, Qt.Key.Key_R)
    assert "Space — time to think" in display.visible_text()
    assert live.card_display.text() == "Room display: the space (R ends it)"
    # No one has the floor, and Space would be refused: the line says what to press.
    assert (
        live.speaker_detail.text() == "A space is running: R ends it, then Space gives the floor."
    )
    press(qtbot, live, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # paused: the card
    assert controller.card.prompt in display.visible_text()
    assert live.card_display.text() == "H: on the room display"
    press(qtbot, live, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, live, Qt.Key.Key_R)
    assert live.card_display.text() == "H: on the room display"


def test_a_message_of_two_lines_moves_nothing(qtbot, controller):
    with larger_text(1.5):
        start_live(controller, 4)
        view = shown_live(qtbot, controller, 1280, 720)
        before = view.circle_scroll.mapTo(view, view.circle_scroll.rect().bottomLeft())
        view.show_notice(
            "Undone: Sarah Thompson (Designated safeguarding lead) has the floor again."
        )
        qtbot.wait(20)
        assert view.notice.height() > view.notice.fontMetrics().lineSpacing()  # it wrapped
        after = view.circle_scroll.mapTo(view, view.circle_scroll.rect().bottomLeft())
        assert after == before


def test_a_long_speaker_goes_on_its_own_line_on_the_wall(qtbot, controller, clock):
    """ "Alexandra (Designated safeguarding lead) is speaking" wrapped beside the large time
    left into a narrow column, its last line cut off on a small window."""
    from PySide6.QtWidgets import QBoxLayout

    circle = people(3)
    circle[0].update(name="Alexandra Featherstonehaugh", role="Designated safeguarding lead")
    circle[1].update(name="Alexandra Featherstonehaugh", role="Family support worker")
    start_live(controller, participants=circle)
    display = RoomDisplay(controller)
    qtbot.addWidget(display)
    display.resize(728, 410)  # the window a laptop at 150 % display scaling gets
    display.show()
    qtbot.waitExposed(display)
    controller.act("next_turn")
    qtbot.wait(20)
    assert display._bottom.direction() == QBoxLayout.Direction.TopToBottom
    speaker = display.speaker
    assert speaker.height() <= 2 * speaker.fontMetrics().height() + 4  # two lines at most
    assert speaker.geometry().bottom() < display.time_left.geometry().top()
    assert display.time_left.geometry().bottom() <= display.height()
    clock.advance(30)
    controller.act("next_turn")  # a short name: beside the time again, as drawn in the brief
    controller.act("next_turn")
    display.resize(1280, 720)
    qtbot.wait(20)
    assert display.speaker.text() == "Person 3 is speaking"
    assert display._bottom.direction() == QBoxLayout.Direction.LeftToRight


def test_a_pause_in_a_space_says_paused_on_the_wall(qtbot, live, controller):
    display = RoomDisplay(controller)
    qtbot.addWidget(display)
    press(qtbot, live, Qt.Key.Key_Space)
    press(qtbot, live, Qt.Key.Key_R)
    assert "Space — time to think" in display.visible_text()
    press(qtbot, live, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert "Paused" in display.visible_text()
    assert "Space — time to think" not in display.visible_text()
    press(qtbot, live, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert "Space — time to think" in display.visible_text()


def test_a_guide_card_stays_on_the_laptop_however_it_is_reached(qtbot, live, controller, deck):
    display = RoomDisplay(controller)
    qtbot.addWidget(display)
    guides = [card for card in deck if card.kind == "guide"]
    assert guides
    seen = set()
    for _ in range(len(deck)):  # Right through the whole deck, as a facilitator might
        press(qtbot, live, Qt.Key.Key_Right)
        card = controller.card
        if card.kind == "guide":
            seen.add(card.id)
            assert card.prompt in live.card_prompt.text()
            assert card.prompt not in display.visible_text()
            assert live.card_display.text() == "A guide for you: never on the room display"
            assert live.card_title.text() == f"Guide for you · {card.title}"
        else:
            assert card.prompt in display.visible_text()
    assert seen == {card.id for card in guides}


def test_pausing_and_resuming_move_nothing_on_the_screen(qtbot, live, controller):
    """The pause banner above the panels pushed them all down a line, and back up on resume:
    the screen jumped under the facilitator's eyes. "Paused" is now said under the clock."""
    from PySide6.QtWidgets import QApplication, QFrame

    def places():
        QApplication.processEvents()
        return [p.geometry() for p in live.findChildren(QFrame, "panel")]

    press(qtbot, live, Qt.Key.Key_Space)
    running = places()
    assert len(running) == 4
    press(qtbot, live, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert controller.state.status == "paused"
    assert places() == running
    press(qtbot, live, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert places() == running


def test_ctrl_p_pauses_and_resumes(qtbot, live, controller, clock):
    assert live.buttons["toggle_pause"].accessibleName() == "Pause"
    press(qtbot, live, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert controller.state.status == "paused"
    assert live.clock_caption.text() == "Paused — the clock is stopped · Ctrl+P resumes"
    room = live.clock_caption.fontMetrics().horizontalAdvance("Paused — the clock · Ctrl+P res")
    live.clock_caption.resize(room, 30)
    shown = live.clock_caption.shown_text()  # short of room, the way out stays whole
    assert shown.endswith("… · Ctrl+P resumes")
    assert shown.startswith("Paused")
    # The button says, in words and to a screen reader, what pressing it does now.
    assert live.buttons["toggle_pause"].text() == "Ctrl+P  Resume"
    assert live.buttons["toggle_pause"].accessibleName() == "Resume"
    # No space can start while paused: its button cannot act, so it is not offered.
    assert not live.buttons["toggle_space"].isEnabled()
    clock.advance(600)
    live.refresh_time()
    assert live.clock.text() == "2:00:00"
    press(qtbot, live, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert controller.state.status == "running"
    assert live.clock_caption.text() == "left of the two hours"
    assert live.buttons["toggle_pause"].accessibleName() == "Pause"
    assert live.buttons["toggle_space"].isEnabled()
    press(qtbot, live, Qt.Key.Key_R)  # a space running when the clock is paused can end
    press(qtbot, live, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert live.buttons["toggle_space"].isEnabled()


@pytest.mark.parametrize(
    ("key", "modifier", "signal"),
    [
        (Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier, "end_requested"),
        (Qt.Key.Key_D, Qt.KeyboardModifier.NoModifier, "room_display_requested"),
        (Qt.Key.Key_G, Qt.KeyboardModifier.NoModifier, "give_floor_requested"),
        (Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "arrival_requested"),
        (Qt.Key.Key_L, Qt.KeyboardModifier.NoModifier, "departure_requested"),
    ],
)
def test_window_level_keys_ask_the_main_window(qtbot, live, key, modifier, signal):
    with qtbot.waitSignal(getattr(live, signal), timeout=1000):
        press(qtbot, live, key, modifier)


def test_the_clock_counts_down_from_timestamps(qtbot, live, controller, clock):
    clock.advance(3600 + 125)
    live.refresh_time()
    assert live.clock.text() == "0:57:55"
    assert "Behind" in live.schedule.text()


def test_turn_time_shifts_tone_and_says_over_by(qtbot, live, controller, clock):
    press(qtbot, live, Qt.Key.Key_Space)
    allowance = controller.state.phase.turn_seconds
    clock.advance(allowance * 0.9)
    live.refresh_time()
    assert live.turn_time.property("tone") == "attention"
    clock.advance(allowance * 0.1 + 35)
    live.refresh_time()
    assert live.turn_time.property("tone") == "over"
    assert live.turn_note.text() == "over by 0:35"


def test_turn_tone_thresholds():
    assert turn_tone(79, 100) == ""
    assert turn_tone(80, 100) == "attention"
    assert turn_tone(100, 100) == "attention"
    assert turn_tone(100.9, 100) == "attention"  # "over by 0:00" would say nothing
    assert turn_tone(101, 100) == "over"


def test_countdowns_read_the_full_time_at_the_start_and_zero_only_when_time_is_up(
    qtbot, live, controller, clock
):
    display = RoomDisplay(controller)
    qtbot.addWidget(display)
    minutes = controller.state.phase.minutes
    clock.advance(0.4)  # a real clock is never exactly on the second
    live.refresh_time()
    display.refresh()
    assert live.clock.text() == "2:00:00"
    assert f"{minutes}:00 left" in live.phase_title.text()
    assert display.time_left.text() == "2:00:00 left of 2:00"  # "left" in words
    assert display.phase_left.text() == f"{minutes}:00 left"
    clock.advance(2 * 3600 - 1)  # 0.6 s left
    live.refresh_time()
    display.refresh()
    assert live.clock.text() == "0:00:01"
    assert live.clock_caption.text() == "left of the two hours"
    assert display.time_left.text().startswith("0:00:01 left of")
    clock.advance(1.0)  # 0.4 s over: the time is up, not yet a whole second over
    live.refresh_time()
    assert live.clock.text() == "0:00:00"
    assert live.clock_caption.text() == "left of the two hours"
    clock.advance(1.0)
    live.refresh_time()
    assert live.clock_caption.text() == "over the two hours by 0:01"


def test_buttons_never_take_focus(live):
    assert all(b.focusPolicy() == Qt.FocusPolicy.NoFocus for b in live.buttons.values())


def test_room_display_never_shows_balance_figures(qtbot, live, controller, clock):
    display = RoomDisplay(controller)
    qtbot.addWidget(display)
    for _ in range(6):
        press(qtbot, live, Qt.Key.Key_Space)
        clock.advance(47)
    live.refresh_time()
    display.refresh()
    text = display.visible_text()
    assert "is speaking" in text
    for figure in ("%", "balance", "fair", "Balance", "spoken", "passed"):
        assert figure not in text
    speaker = controller.state.current_speaker.label
    assert f"{speaker} is speaking" in text
    others = [p.label for p in controller.state.participants if p.label != speaker]
    assert not [name for name in others if name in text]  # only the speaker is named


def test_a_prompt_with_angle_brackets_reads_as_written(qtbot, live, controller):
    """An imported deck's "What would a <big> change look like?": taken for rich text, the
    room display and the laptop dropped the word and drew the rest larger."""
    from dataclasses import replace

    written = "What would a <big> change look like? Say it <em>as</em> you see it."
    deck = controller.deck
    card = next(c for c in deck if c.kind == "prompt")
    cards = tuple(replace(c, prompt=written) if c is card else c for c in deck.cards)
    controller.deck = replace(deck, cards=cards)
    controller.show_card_id(card.id)
    display = RoomDisplay(controller)
    qtbot.addWidget(display)
    display.refresh()
    for label in (display.prompt, live.card_prompt):
        assert label.text() == written
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_room_display_space_and_blank(qtbot, live, controller):
    display = RoomDisplay(controller)
    qtbot.addWidget(display)
    press(qtbot, live, Qt.Key.Key_R)
    assert "Space — time to think" in display.visible_text()
    press(qtbot, live, Qt.Key.Key_B)
    assert display.visible_text() == ""


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_the_keyboard_map_fits_the_screen_and_shows_every_line_whole(qtbot, scale):
    from rethink_desktop.ui.keymap import KeyMapDialog

    with larger_text(scale):
        dialog = KeyMapDialog()
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        screen = dialog.screen().availableGeometry()
        assert dialog.width() <= screen.width()
        assert dialog.height() <= screen.height()
        clipped = [
            label.text()
            for label in dialog.text_labels
            if label.height() < label.heightForWidth(label.width())
        ]
        assert clipped == []
        # The rows scroll when they need more room than the screen has, never overlap.
        tops = [label.geometry().top() for label in dialog.text_labels]
        bottoms = [label.geometry().bottom() for label in dialog.text_labels]
        assert all(top > bottom for top, bottom in zip(tops[1:], bottoms, strict=False))


def test_the_keyboard_maps_list_shows_a_ring_when_it_has_the_keys(qtbot):
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication

    from rethink_desktop.ui.keymap import KeyMapDialog
    from rethink_desktop.ui.theme import apply_theme, current_theme

    apply_theme(QApplication.instance(), "light")  # the style sheet draws the ring
    dialog = KeyMapDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.scroll.setFocus()
    qtbot.wait(10)
    frame = dialog.scroll.geometry()
    image = dialog.grab().toImage()
    assert image.pixelColor(frame.left(), frame.center().y()) == QColor(current_theme().accent)
    dialog.close()


def test_keymap_doc_matches_the_app():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "keyboard.md").read_text(encoding="utf-8")
    assert keymap_markdown() in doc
    assert {b.action for b in LIVE_KEYS} <= set(dir(LiveView))
    key_words = {"PgDown": "Page Down", "PgUp": "Page Up"}  # Qt's terse names, for people
    for binding in LIVE_KEYS:  # every key that works is shown (Ctrl+Y, Pause)
        shown = {key_words.get(key, key) for key in binding.keys}
        assert shown <= set(binding.shown.split(" or ")), binding.action


def test_the_speakers_row_is_bold_and_named_for_screen_readers(qtbot, live):
    press(qtbot, live, Qt.Key.Key_Space)
    first, second = live._rows["p1"], live._rows["p2"]
    assert first.name.font().bold()
    assert not second.name.font().bold()
    assert first.name.accessibleName() == "Seat 1, Person 1, speaking"
    press(qtbot, live, Qt.Key.Key_Space)
    assert not first.name.font().bold()
    assert second.name.font().bold()
    assert first.name.accessibleName() == "Seat 1, Person 1, spoken"
    assert second.name.accessibleName() == "Seat 2, Person 2, speaking"


def test_each_talk_bar_tells_a_screen_reader_whose_share_it_draws(qtbot, live, clock):
    """The bars are the balance at a glance; without words a screen reader heard only the
    times beside them, never the share against the equal share."""
    first = live._rows["p1"].bar
    assert first.accessibleName() == "Person 1: share of talk time"
    press(qtbot, live, Qt.Key.Key_Space)
    clock.advance(60)
    press(qtbot, live, Qt.Key.Key_Space)
    clock.advance(20)
    live.refresh_time()
    assert first.accessibleDescription() == "75%, equal share 25%"
    assert live._rows["p2"].bar.accessibleDescription() == "25%, equal share 25%"
    assert live._rows["p3"].bar.accessibleDescription() == "0%, equal share 25%"
    _name, bar, _figure = live._agency_rows[people(4)[0]["agency"]]
    assert bar.accessibleName() == f"{people(4)[0]['agency']}: share of talk time"
    assert bar.accessibleDescription().endswith(", equal share 25%")


def test_the_clock_is_drawn_smaller_rather_than_cut_or_widening_its_panel(qtbot):
    from PySide6.QtGui import QFontMetrics

    from rethink_desktop.ui.theme import set_font_role
    from rethink_desktop.ui.widgets import FittedLabel

    clock = FittedLabel("1:48:50", least=0.55)
    set_font_role(clock, "clock", bold=True, tabular=True)
    qtbot.addWidget(clock)
    whole = QFontMetrics(clock.font()).horizontalAdvance("1:48:50")
    assert clock.minimumSizeHint().width() < whole * 0.6
    clock.resize(whole + 20, 100)
    assert clock.fitted_font() == clock.font()  # room enough: its own size
    clock.resize(whole * 3 // 4, 100)
    smaller = clock.fitted_font()
    assert smaller.pointSizeF() < clock.font().pointSizeF()
    assert QFontMetrics(smaller).horizontalAdvance("1:48:50") <= clock.contentsRect().width()
    clock.resize(whole // 4, 100)  # never below its least size
    assert clock.fitted_font().pointSizeF() == pytest.approx(clock.font().pointSizeF() * 0.55)
    clock.grab()  # drawn in the smaller font without error


def test_a_talk_bar_fills_its_share_and_marks_the_equal_share(qtbot):
    from PySide6.QtGui import QColor

    from rethink_desktop.ui.live import TalkBar
    from rethink_desktop.ui.theme import current_theme

    bar = TalkBar("#0072B2")
    qtbot.addWidget(bar)
    bar.resize(201, 12)
    bar.set_share(0.25, 0.25)  # exactly the equal share: half the bar (twice equal = full)
    image = bar.grab().toImage()
    y = 6
    assert image.pixelColor(40, y) == QColor("#0072B2")
    assert image.pixelColor(160, y) == QColor(current_theme().background)
    assert image.pixelColor(100, y) == QColor(current_theme().text)  # the equal-share tick


def test_talk_bars_beyond_twice_the_equal_share_still_differ(qtbot):
    """A third and two thirds of the talk (equal share a seventh) both filled the bar; the
    largest share beside them fills it now, and the others are drawn against it."""
    from rethink_desktop.ui.live import TalkBar

    bars = [TalkBar("#0072B2") for _ in range(3)]
    for bar, share in zip(bars, (1 / 3, 2 / 3, 1 / 7), strict=True):
        qtbot.addWidget(bar)
        bar.resize(201, 12)
        bar.set_share(share, 1 / 7, 2 / 3)
    third, two_thirds, equal = (bar._drawn() for bar in bars)
    assert two_thirds[0] == 199  # full
    assert third[0] == round(199 / 2)
    assert equal[0] == round(199 * 3 / 14)
    assert third[1] == two_thirds[1] == equal[1] == round(1 + 199 * 3 / 14)  # the tick
    near = TalkBar("#0072B2")
    qtbot.addWidget(near)
    near.resize(201, 12)
    near.set_share(0.25, 0.25, 0.3)  # all within twice the equal share: scaled as before
    assert near._drawn() == (round(199 / 2), round(1 + 199 / 2))


class Paints(QObject):
    """Counts the paint events of the widget it is installed on."""

    count = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def paints_after(qtbot, widget, change) -> int:
    """How many times ``widget`` is painted after ``change()`` (once shown and settled)."""
    counter = Paints(widget)
    widget.installEventFilter(counter)
    change()
    qtbot.wait(20)  # the repaint, if one was asked for, is delivered
    widget.removeEventFilter(counter)
    return counter.count


def test_the_phase_strip_marks_the_current_phase_by_shape_not_colour_alone(qtbot):
    """Past phases muted, the current one in the accent: close greys to a red-blind eye, and
    an overrun current phase (full) looked finished. It now has a thicker outline."""
    from PySide6.QtGui import QColor

    from rethink_desktop.ui.live import PhaseStrip
    from rethink_desktop.ui.theme import current_theme

    strip = PhaseStrip()
    qtbot.addWidget(strip)
    strip.resize(300, 16)
    strip.set_phases([10, 10, 10], 1, 1.0)  # the middle phase has run over: full
    strip.show()
    qtbot.waitExposed(strip)
    image = strip.grab().toImage()
    text = QColor(current_theme().text).name()

    def outline(index: int) -> int:
        band = strip._bands()[index]
        x = int(band.center().x())
        return sum(image.pixelColor(x, y).name() == text for y in range(image.height()))

    assert outline(1) >= 2  # the current one: top and bottom edges in the text colour
    assert outline(0) == 0  # a finished one, as full: no such edge
    assert outline(2) == 0


def test_bars_and_the_phase_strip_repaint_only_when_a_pixel_changes(qtbot):
    """Every share moves a little with each second of talk; a dozen bars repainting at
    every key press was a large part of its time."""
    from rethink_desktop.ui.live import PhaseStrip, TalkBar

    bar, strip = TalkBar("#0072B2"), PhaseStrip()
    for widget in (bar, strip):
        qtbot.addWidget(widget)
        widget.resize(201, 14)
        widget.show()
        qtbot.waitExposed(widget)
    bar.set_share(0.25, 0.25)
    strip.set_phases([10, 20, 30], 1, 0.5)
    qtbot.wait(20)
    assert paints_after(qtbot, bar, lambda: bar.set_share(0.2501, 0.2501)) == 0
    assert paints_after(qtbot, bar, lambda: bar.set_share(0.3, 0.25)) == 1
    assert paints_after(qtbot, bar, lambda: bar.set_share(0.3, 0.2)) == 1  # the tick moves
    assert paints_after(qtbot, strip, lambda: strip.set_phases([10, 20, 30], 1, 0.501)) == 0
    assert paints_after(qtbot, strip, lambda: strip.set_phases([10, 20, 30], 1, 0.7)) == 1
    assert paints_after(qtbot, strip, lambda: strip.set_phases([10, 20, 30], 2, 0.0)) == 1
    assert paints_after(qtbot, strip, lambda: strip.set_phases([10, 25, 30], 2, 0.0)) == 1


def test_the_circle_shows_the_panel_surface_not_a_grey_block(live):
    from PySide6.QtGui import QColor

    from rethink_desktop.ui.theme import current_theme

    # QScrollArea.setWidget turns the content's background fill on, in the window's colour.
    body = live.circle_scroll.widget()
    image = body.grab().toImage()
    corner = image.pixelColor(image.width() - 3, image.height() - 3)  # below the rows
    assert corner == QColor(current_theme().surface)


def test_the_room_display_is_not_repainted_whole_when_nothing_changed(qtbot, live, controller):
    from PySide6.QtCore import QEvent, QObject

    display = RoomDisplay(controller)
    qtbot.addWidget(display)
    display.show()
    display.refresh()

    class Count(QObject):
        changes = 0

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.PaletteChange:
                Count.changes += 1
            return False

    counter = Count()
    display.installEventFilter(counter)
    display.main_page.installEventFilter(counter)
    for _ in range(3):
        display.refresh()  # a tick: same colours, so no new palette for the whole screen
    assert Count.changes == 0
    press(qtbot, live, Qt.Key.Key_B)  # blanking does change them
    assert Count.changes > 0


@pytest.mark.parametrize("demo", [False, True])
def test_the_room_display_marks_the_demo_and_only_the_demo(qtbot, store, clock, deck, demo):
    from rethink_desktop.ui.controller import SessionController

    ctl = SessionController(store, clock, deck, demo=demo)
    start_live(ctl, 3)
    ctl.display_blanked = True  # opened blank, as after a resume: the title still says it
    blank = RoomDisplay(ctl)
    qtbot.addWidget(blank)
    assert ("DEMO" in blank.windowTitle()) is demo
    ctl.display_blanked = False
    display = RoomDisplay(ctl)
    qtbot.addWidget(display)
    display.refresh()
    assert ("DEMO" in display.visible_text()) is demo
    assert display.demo_tag.isVisibleTo(display) is demo
    assert ("DEMO" in display.windowTitle()) is demo
    # Ends with the app's name, once: Qt adds it to a title that does not.
    assert display.windowTitle().endswith(" — Re-Think Desktop")
    assert display.windowTitle().count("Re-Think") == 1
    assert ctl.act("toggle_space")  # the wall may show only the space for minutes
    display.refresh()
    assert "Space — time to think" in display.visible_text()
    assert ("DEMO" in display.visible_text()) is demo
    ctl.close_session()
    ctl.deleteLater()


@pytest.mark.parametrize(
    ("minutes", "left", "over"),
    [
        ((60, 60), "left of the two hours", "over the two hours by 0:30"),
        ((45, 45), "left of the planned 90 minutes", "over the planned 90 minutes by 0:30"),
    ],
)
def test_the_big_clock_says_which_length_it_counts_down(qtbot, controller, clock, minutes, left,
                                                          over):  # fmt: skip
    from tests.helpers import phases

    start_live(controller, 3, phases=phases(*minutes))
    view = LiveView(controller)
    qtbot.addWidget(view)
    view.refresh()
    assert view.clock_caption.text() == left
    assert view.clock.accessibleName() == "Time left of " + left.removeprefix("left of ")
    clock.advance(sum(minutes) * 60 + 30)
    view.refresh_time()
    assert view.clock_caption.text() == over


def test_a_refusal_notice_goes_once_the_next_action_is_recorded(qtbot, live, controller):
    press(qtbot, live, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # paused
    press(qtbot, live, Qt.Key.Key_Space)
    assert "paused" in live.notice.text()
    press(qtbot, live, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # resumed
    assert live.notice.text() == ""


def test_blank_and_hide_do_not_carry_over_to_the_next_session(qtbot, live, controller):
    controller.toggle_blank()
    controller.toggle_card_on_display()
    controller.close_session()
    assert not controller.display_blanked
    assert controller.card_on_display


def test_the_top_line_shortens_rather_than_widen_the_view_past_a_laptop(qtbot, controller):
    """The longest reference a demo can have and a long phase name, at 150 % type: the view
    still fits 1366 px, the phase line keeps its time left, and its text stays whole."""

    from tests.helpers import phases

    with larger_text(1.5):
        long_phases = phases()
        long_phases[0]["name"] = "Hearing each perspective on what has happened since we met"
        start_live(controller, 4, reference="DEMO-2026-ATTENDANCE-001", phases=long_phases)
        view = LiveView(controller)
        qtbot.addWidget(view)
        view.refresh()
        view.demo_tag.show()  # as in the demo: the tag takes room too
        assert view.minimumSizeHint().width() <= 1366
        view.resize(1366, 768)
        view.show()
        qtbot.waitExposed(view)
        assert view.phase_title.text().endswith("left")
        assert "Hearing each perspective on what has happened since we met" in (
            view.phase_title.text()
        )
        image = view.phase_title.grab()
        assert image.width() <= view.width()


def test_a_shortened_line_reads_as_its_whole_text_does(qtbot):
    """Text that looks like markup is shown as typed, whether or not it fits: the label
    measures (and, when it fits, draws) the same characters its "…" form is cut from."""
    from rethink_desktop.ui.widgets import ElidedLabel

    text = "Phase 2 of 6 · <i>Q&amp;A</i> · 12:04 left"
    label = ElidedLabel(text)
    qtbot.addWidget(label)
    assert label.sizeHint().width() >= label.fontMetrics().horizontalAdvance(text)
    assert label.text() == text


def test_a_shortened_line_shows_its_whole_text_on_hover_and_a_whole_one_shows_none(qtbot):
    """A name cut to "Alexandra (Desig…" could not be read whole with the mouse either."""
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    from rethink_desktop.ui.widgets import ElidedLabel

    text = "Alexandra (Designated safeguarding lead)"
    label = ElidedLabel(text)
    qtbot.addWidget(label)
    label.resize(label.fontMetrics().horizontalAdvance(text) // 2, 30)
    label.show()
    qtbot.waitExposed(label)
    assert label.shown_text() != text

    def hover() -> None:
        where = QPoint(5, 5)
        QApplication.sendEvent(
            label, QHelpEvent(QEvent.Type.ToolTip, where, label.mapToGlobal(where))
        )

    hover()
    assert QToolTip.isVisible()
    assert QToolTip.text() == text
    QToolTip.hideText()
    qtbot.waitUntil(lambda: not QToolTip.isVisible())
    label.resize(label.sizeHint().width() + 20, 30)
    assert label.shown_text() == text
    hover()
    assert not QToolTip.isVisible()


def test_at_150_percent_type_every_talk_time_in_the_circle_shows_whole(qtbot, controller):
    """On a 1366 × 768 laptop at 150 %, the circle's last column (each person's talk time)
    was cut off while the card beside it had room to spare."""
    people = [
        {"name": f"Person {i}", "agency": agency, "role": "Safeguarding officer"}
        for i, agency in enumerate(
            ["Children's social care", "Education", "Health", "Police", "Early help", "Housing"]
        )
    ]
    with larger_text(1.5):
        start_live(controller, participants=people)
        view = shown_live(qtbot, controller, 1366, 660)
        viewport = view.circle_scroll.viewport()
        for row in view._rows.values():
            right = row.time.mapTo(viewport, row.time.rect().topRight()).x()
            assert right < viewport.width(), row.time.text()
            assert row.time.width() >= row.time.sizeHint().width()
        view.close()


def test_page_down_and_up_scroll_the_circle_then_the_screen_without_taking_the_keys(
    qtbot, controller
):
    """A big circle at 150 % type scrolls in its panel, and no live key reached the balance
    by agency below it: Page Down and Page Up scroll it, then the screen's own holder."""
    from PySide6.QtWidgets import QApplication, QScrollArea

    with larger_text(1.5):
        start_live(controller, 24)
        holder = QScrollArea()
        qtbot.addWidget(holder)
        view = LiveView(controller)
        holder.setWidget(view)
        view.resize(1366, 900)
        holder.resize(1366, 600)
        with qtbot.waitActive(holder):
            holder.show()
            holder.activateWindow()
        view.refresh()
        view.setFocus()
        qtbot.wait(10)  # the rows' layout
        focused = QApplication.focusWidget()
        circle = view.circle_scroll.verticalScrollBar()
        screen = holder.verticalScrollBar()
        assert circle.maximum() > 0
        assert screen.maximum() > 0
        balance = view.agency_grid.itemAt(0).widget()
        viewport = view.circle_scroll.viewport()

        def balance_in_sight() -> bool:
            top = balance.mapTo(viewport, balance.rect().topLeft()).y()
            return 0 <= top < viewport.height()

        assert not balance_in_sight()
        presses = 0
        while circle.value() < circle.maximum():
            press(qtbot, view, Qt.Key.Key_PageDown)
            presses += 1
            assert presses < 50
        assert balance_in_sight()
        assert screen.value() == 0  # the circle first
        press(qtbot, view, Qt.Key.Key_PageDown)  # at the circle's end: the screen
        assert screen.value() > 0
        press(qtbot, view, Qt.Key.Key_PageUp)
        assert circle.value() < circle.maximum()
        assert QApplication.focusWidget() is focused  # nothing took the keys
        press(qtbot, view, Qt.Key.Key_Space)
        assert kinds(controller)[-1] == "next"
        assert view.shortcuts["page_downPgDown"].autoRepeat()
        assert not view.shortcuts["next_turnSpace"].autoRepeat()


def test_when_only_the_speaker_is_left_next_says_again(qtbot, live, controller):
    """With everyone else away, Space gives the speaker a new round: "Next: Person 1" read
    as if someone else were waiting."""
    for pid in ("p2", "p3", "p4"):
        controller.act("leave", pid)
    press(qtbot, live, Qt.Key.Key_Space)
    assert live.speaker.text() == "Person 1"
    assert live.next_up.text().startswith("Next: Person 1 again — ")
    assert controller.act("come_back", "p2")  # someone comes back: no longer "again"
    assert live.next_up.text().startswith("Next: Person 2 — ")


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_a_long_name_or_agency_never_pushes_the_live_screen_about(
    qtbot, make_window, controller, clock, scale
):
    """ "Alexandra (Designated safeguarding lead)" taking the floor squeezed the circle until
    its talk times were cut off (at 150 %: the screen grew wider than the window), and the
    layout jumped with each Space; a long agency in the circle did the same."""
    circle = people(6)
    circle[1].update(name="Alexandra", role="Designated safeguarding lead")
    circle[2].update(name="Alexandra", role="Family support worker")
    circle[4].update(agency="Child and adolescent mental health services")
    with larger_text(scale):
        window = make_window()
        window.resize(1366, 768)
        start_live(controller, participants=circle)
        window.show_for_state()
        live = window.live

        def places():
            qtbot.wait(20)
            return [live.circle_scroll.geometry(), live.speaker.geometry(), live.width()]

        press(qtbot, live, Qt.Key.Key_Space)
        before = places()
        clock.advance(30)
        press(qtbot, live, Qt.Key.Key_Space)
        assert live.speaker.text() == "Alexandra (Designated safeguarding lead)"
        assert places() == before  # nothing moved
        assert live.width() <= window.page_scroll.viewport().width()
        viewport = live.circle_scroll.viewport()
        for row in live._rows.values():  # every talk time in sight, whole
            right = row.time.mapTo(viewport, row.time.rect().topRight()).x()
            assert right < viewport.width()
            assert row.time.width() >= row.time.sizeHint().width()
        name, _bar, figure = live._agency_rows["Child and adolescent mental health services"]
        assert figure.mapTo(viewport, figure.rect().topRight()).x() < viewport.width()
        assert name.text() == "Child and adolescent mental health services"  # read whole


def test_two_toms_are_told_apart_wherever_the_floor_is_shown(qtbot, controller):
    """Prepare lets two people share a name only with different roles; the live view, the
    room display and the undo line name them with that role ("Next: Tom — Health" read the
    same for both)."""
    circle = people(4)
    circle[1].update(name="Tom", agency="Health", role="School nurse")
    circle[2].update(name="Tom", agency="Health", role="GP")
    start_live(controller, participants=circle)
    view = LiveView(controller)
    qtbot.addWidget(view)
    display = RoomDisplay(controller)
    qtbot.addWidget(display)
    controller.act("next_turn")  # Person 1
    view.refresh()
    assert view.next_up.text() == "Next: Tom (School nurse) — Health"
    controller.act("next_turn")
    view.refresh()
    display.refresh()
    assert view.speaker.text() == "Tom (School nurse)"
    assert "Tom (School nurse) is speaking" in display.visible_text()
    assert view.next_up.text() == "Next: Tom (GP) — Health"
    names = [row.name.text() for row in view._rows.values()]
    assert names == ["Person 1", "Tom (School nurse)", "Tom (GP)", "Person 4"]
    controller.act("next_turn")
    with qtbot.waitSignal(controller.notice) as said:
        controller.undo()
    assert said.args[0] == "Undone: Tom (School nurse) has the floor again."
