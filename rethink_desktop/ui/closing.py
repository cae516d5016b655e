"""The close: way forward, the room's pulse, anonymous check-out ratings, then completion.

One calm screen per step. Each answer is recorded as the facilitator moves on, so a session
resumed after a crash continues from the first step not yet recorded. While a participant
rates, the screen shows nothing that identifies anyone — only "Person 3 of 6".
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rethink_desktop.core.state import WAY_FORWARD
from rethink_desktop.ui import widgets
from rethink_desktop.ui.checkin import ChoiceButtons, PulseSelector, set_primary_enabled
from rethink_desktop.ui.controller import SessionController

QUESTIONS = (
    ("communication", "Communication"),
    ("compassion", "Compassion"),
    ("clarity", "Clarity"),
    ("heard", "I felt heard"),
)

STEP_TITLES = ("Way forward", "The room now", "Check-out ratings", "Complete")


_label = partial(widgets.label, wrap=True)


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def _button(text: str, name: str, *, primary: bool = False) -> QPushButton:
    return widgets.button(text, name, role="body", primary=primary, height_em=2.4)


class _Steps(QStackedWidget):
    """The close's steps, each as tall as it needs: a stack is as tall as its tallest page
    (the ratings), so at larger type even the one-question first step scrolled."""

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    def heightForWidth(self, width: int) -> int:
        page = self.currentWidget()
        if page is None:
            return super().heightForWidth(width)
        return page.heightForWidth(width) if page.hasHeightForWidth() else -1


def _page(*widgets: QWidget, top: int = 8) -> QWidget:
    """One calm screen: the widgets stacked at the top, space below."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, top, 0, 0)
    layout.setSpacing(12)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return page


class RatingForm(QWidget):
    """Four questions, 1 not at all … 5 very much, each with "Skip this question"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person_label = _label("", "body", muted=True, bold=True)
        self.person_label.setWordWrap(False)
        self.person_label.setAccessibleName("Whose turn to answer")
        title = _label("How was this meeting for you?", "phase")
        note = _label(
            "Choose 1 to 5 for each question, or skip it. Your answers are anonymous.",
            muted=True,
        )
        self.questions: dict[str, ChoiceButtons] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(8)
        for row, (key, text) in enumerate(QUESTIONS):
            question = _label(text, "card", bold=True)
            question.setWordWrap(False)
            choices = ChoiceButtons(
                text,
                [(n, str(n)) for n in range(1, 6)],
                ends=("not at all", "very much"),
                skip_text="Skip this question",
                role="card",
                square=True,
                height=1.9,
            )
            question.setBuddy(choices.buttons[0])
            # As tall as the buttons, so the words sit level with the row they name.
            question.setMinimumHeight(choices.buttons[0].minimumHeight())
            question.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.questions[key] = choices
            grid.addWidget(question, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(choices, row, 1)
        grid.setColumnStretch(1, 1)
        self.status = _label("", muted=True)
        self.status.setAccessibleName("Questions still to answer")
        # "Skip me", not "Skip": each question has its own "Skip this question".
        self.skip_button = _button("Skip me", "Skip me: record nothing for me and move on")
        self.save_button = _button("Save my answers", "Save my answers", primary=True)
        # The line of what is left, Skip and Save: the close shows it under its scrolling
        # steps (CloseView), always in sight: at 150 % on a small laptop it was cut in half
        # at the bottom of the scroll, on the screen a participant is handed.
        self.footer = QWidget()
        buttons = QHBoxLayout(self.footer)
        buttons.setContentsMargins(0, 8, 0, 0)
        buttons.setSpacing(16)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(self.person_label, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addSpacing(8)
        layout.addLayout(grid)
        layout.addStretch(1)
        # Tab from the last question lands on Save, never on Skip: Enter there must not
        # throw away a person's answers.
        QWidget.setTabOrder(self.save_button, self.skip_button)
        for choices in self.questions.values():
            choices.changed.connect(self._update)
        self._update()

    def reset(self, person: int, total: int) -> None:
        """A blank form for the next person, so no one sees the previous answers."""
        for choices in self.questions.values():
            choices.clear()
        self.person_label.setText(f"Person {person} of {total}")
        self._update()
        self.questions["communication"].focus_first()

    def _update(self) -> None:
        left = sum(not c.answered() for c in self.questions.values())
        set_primary_enabled(self.save_button, left == 0)
        self.status.setText(
            "Ready to save."
            if left == 0
            else f"{left} question{'s' if left > 1 else ''} still to answer or skip."
        )

    def to_first_unanswered(self) -> None:
        """Enter before every question is answered or skipped: the keys go to the first one
        left (Enter did nothing, and the line of what is left was easy to miss)."""
        for choices in self.questions.values():
            if not choices.answered():
                choices.focus_first()
                return

    def values(self) -> dict[str, int | None]:
        """Each question's answer; a skipped one is None."""
        return {key: choices.value() for key, choices in self.questions.items()}


class CloseView(QWidget):
    """Walk the facilitator through the close, one step at a time."""

    completed = Signal()
    home_requested = Signal()
    private_changed = Signal(bool)  # a participant holds the laptop (rating, hand-over) or not

    WAY, PULSE, INTRO, RATING, HANDOVER, FINISH = range(6)
    PRIVATE = (RATING, HANDOVER)

    def __init__(
        self,
        controller: SessionController,
        parent: QWidget | None = None,
        keep_names: bool = False,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.keep_names = keep_names
        self.confirm: Callable[[str, str], bool] = partial(widgets.ask, self)  # patched in tests
        self.person = 0  # people handled so far in this round of ratings (saved or skipped)
        self.done = False
        self._acting = False
        self.setAccessibleName("Closing the session")

        self.heading = _label("Closing the session", "heading", bold=True)
        self.demo_marker = widgets.demo_marker()
        self.step_label = _label("", "body", muted=True)
        self.step_label.setWordWrap(False)
        self.step_label.setAccessibleName("Step")
        self.message = _label("", "body")
        self.message.setProperty("tone", "attention")
        self.message.setAccessibleName("Message")
        self.message.hide()

        self.stack = _Steps()
        self.stack.addWidget(self._build_way_page())
        self.stack.addWidget(self._build_pulse_page())
        self.stack.addWidget(self._build_intro_page())
        self.stack.addWidget(self._build_rating_page())
        self.stack.addWidget(self._build_handover_page())
        self.stack.addWidget(self._build_finish_page())

        self.back_button = _button("← Back", "Back to the previous step")
        self.next_button = _button("Next", "Next step", primary=True)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        nav = QHBoxLayout()
        nav.setSpacing(16)
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        nav.addWidget(self.message, 4)
        nav.addWidget(self.next_button)

        panel = QFrame()
        panel.setObjectName("panel")
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(32, 16, 32, 16)
        # The steps scroll when the screen is too short for them (the ratings at 150 % type
        # on a laptop): otherwise the window grew taller than the screen.
        self.scroll = QScrollArea(panel)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a stop of its own for Tab
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.stack)
        self.scroll.viewport().setAutoFillBackground(False)
        self.stack.setAutoFillBackground(False)
        inner.addWidget(self.scroll, 1)
        inner.addWidget(self.rating.footer)  # under the scroll: Skip and Save always in sight
        # Tab from the last question goes on to Save (then Skip), as when they were in it.
        last = list(self.rating.questions.values())[-1]
        QWidget.setTabOrder(last.skip_button or last.buttons[-1], self.rating.save_button)
        QWidget.setTabOrder(self.rating.save_button, self.rating.skip_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 16, 32, 16)
        layout.setSpacing(16)
        header = QHBoxLayout()
        header.addWidget(self.heading)
        header.addWidget(self.demo_marker, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addStretch(1)
        header.addWidget(self.step_label, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(header)
        layout.addWidget(panel, 1)
        layout.addLayout(nav)

        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.setAutoRepeat(False)
            shortcut.activated.connect(self._on_enter)

        controller.notice.connect(self._on_refused)
        controller.storage_failed.connect(self._on_refused)
        self.stack.setCurrentIndex(self.WAY)
        self.stack.currentChanged.connect(
            lambda step: self.private_changed.emit(step in self.PRIVATE)
        )
        self._sync_nav()

    @property
    def private(self) -> bool:
        """Whether a participant holds the laptop: their rating or the hand-over is showing,
        and the window shows nothing else (no menus, no way to the records)."""
        return self.stack.currentIndex() in self.PRIVATE

    # --- pages ----------------------------------------------------------------------------
    def _build_way_page(self) -> QWidget:
        title = _label("Was a way forward reached?", "phase")
        note = _label("Only the answer is recorded — no details.", muted=True)
        self.way = ChoiceButtons(
            "Way forward reached", list(WAY_FORWARD.items()), role="phase", square=False
        )
        for button in self.way.buttons:
            button.setMinimumWidth(QFontMetrics(button.font()).horizontalAdvance("Not yet") * 2)
        self.way.changed.connect(self._sync_nav)
        self.way.changed.connect(lambda: self.message.hide())
        return _page(title, note, self.way, top=16)

    def _build_pulse_page(self) -> QWidget:
        title = _label("How does the room feel now?", "phase")
        note = _label("Your own read of the room, as at the start. Optional.", muted=True)
        self.pulse = PulseSelector("Tension pulse at the close", role="card")
        self.pulse_before = _label("", muted=True)
        self.pulse_before.setAccessibleName("Tension pulse at the start")
        return _page(title, note, self.pulse, self.pulse_before, top=16)

    def _build_intro_page(self) -> QWidget:
        title = _label("Check-out ratings", "phase")
        hand = _label(
            "Hand the laptop to each person in turn. Their answers are anonymous.", "card"
        )
        how = _label(
            "Four questions, 1 to 5. Anyone may skip a question, or skip altogether.",
            muted=True,
        )
        self.progress = _label("", "body", bold=True)
        self.progress.setAccessibleName("Ratings so far")
        return _page(title, hand, how, self.progress, top=16)

    def _build_rating_page(self) -> QWidget:
        self.rating = RatingForm()
        self.rating.save_button.clicked.connect(self.save_rating)
        self.rating.skip_button.clicked.connect(self.skip_person)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.rating)
        return page

    def _build_handover_page(self) -> QWidget:
        thanks = _label("Thank you.", "phase")
        thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.handover_text = _label("", "card")
        self.handover_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(thanks)
        layout.addWidget(self.handover_text)
        layout.addStretch(2)
        return page

    def _build_finish_page(self) -> QWidget:
        self.finish_title = _label("Complete the session", "phase")
        self.finish_title.setAccessibleName("Completion")
        self.summary = _label("", "body")
        self.summary.setAccessibleName("Summary of the close")
        self.names_note = _label("", muted=True)
        self.complete_button = _button("Complete the session", "Complete the session", primary=True)
        self.complete_button.clicked.connect(self.complete)
        self.complete_row = QWidget()
        row = QHBoxLayout(self.complete_row)
        row.setContentsMargins(0, 8, 0, 0)
        row.addWidget(self.complete_button)
        row.addStretch(1)
        self.home_button = _button("Back to the home screen", "Back to the home screen")
        self.home_button.clicked.connect(self.home_requested)
        row.insertWidget(1, self.home_button)  # in Complete's place, as compact
        self.home_button.hide()
        return _page(self.finish_title, self.summary, self.names_note, self.complete_row, top=16)

    # --- state ----------------------------------------------------------------------------
    @property
    def total(self) -> int:
        """The people asked for a rating (``SessionState.asked_to_rate``)."""
        state = self.controller.state
        return state.asked_to_rate() if state else 0

    @property
    def recorded(self) -> int:
        state = self.controller.state
        return len(state.ratings) if state else 0

    def load(self) -> None:
        """Fill from the session and continue from the first step not yet recorded."""
        state = self.controller.state
        self.demo_marker.setVisible(bool(state and state.demo))
        self.message.hide()
        if state is None:
            return
        self.done = state.status == "completed"
        self.way.set_value(state.way_forward)
        self.pulse.set_value(state.pulse_end)
        self.person = self.recorded
        if self.done:
            self._show_finish()
        elif state.way_forward is None:
            self._go(self.WAY)
        elif state.pulse_end is None:
            self._go(self.PULSE)
        elif self.recorded < self.total:
            self._go(self.INTRO)
        else:
            self._show_finish()

    def _go(self, step: int) -> None:
        state = self.controller.state
        if step == self.PULSE:
            before = state.pulse_start if state else None
            self.pulse_before.setText(
                "" if before is None else f"At the start you chose {before} of 10."
            )
        elif step == self.INTRO:
            self.person = self.recorded
            self.progress.setText(self._progress_text())
        self.message.hide()
        self.stack.setCurrentIndex(step)
        self.stack.updateGeometry()  # as tall as this step (_Steps)
        self.scroll.verticalScrollBar().setValue(0)  # each step from its top (its question)
        self._sync_nav()
        self._focus_step(step)

    def _progress_text(self) -> str:
        total, done = self.total, self.recorded
        if total == 0:
            return "No one was in the room at the close, so there is no one to ask."
        if done >= total:
            return (
                f"All {total} people have answered."
                if total > 1
                else "The one person in the room has answered."
            )
        if done == 0:
            return f"{_people(total)} in the room at the close. No answers yet."
        return f"{done} of {total} people have answered. Next: person {done + 1}."

    def _sync_nav(self) -> None:
        step = self.stack.currentIndex()
        self.rating.footer.setVisible(step == self.RATING)
        self.back_button.setVisible(step in (self.PULSE, self.INTRO, self.FINISH) and not self.done)
        self.next_button.setVisible(step not in (self.RATING, self.FINISH))
        set_primary_enabled(self.next_button, step != self.WAY or self.way.answered())
        labels = {
            self.INTRO: "Begin" if self.person == 0 else "Continue",
            self.HANDOVER: "Continue",
        }
        if step == self.INTRO and self.recorded >= self.total:
            labels[self.INTRO] = "Next"
        self.next_button.setText(labels.get(step, "Next"))
        shown = {
            self.WAY: 0,
            self.PULSE: 1,
            self.INTRO: 2,
            self.RATING: 2,
            self.HANDOVER: 2,
            self.FINISH: 3,
        }[step]
        self.step_label.setText(f"Step {shown + 1} of 4 · {STEP_TITLES[shown]}")

    def focus_default(self) -> None:
        """The current step's first control (the main window calls it on showing the close);
        the screen itself on a step that has none to offer, so the keys are not left behind."""
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self._focus_step(self.stack.currentIndex())

    def _focus_step(self, step: int) -> None:
        if step == self.WAY:
            self.way.focus_first()
        elif step == self.PULSE:
            self.pulse.focus_first()
        elif step in (self.INTRO, self.HANDOVER):
            self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif step == self.FINISH:
            # Not on Complete: a second quick Enter after the hand-over (the last person's,
            # even) completed the session, which cannot be undone. Enter here goes to the
            # button first (see _on_enter); Tab reaches it too.
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- moving ---------------------------------------------------------------------------
    def next(self) -> None:
        """Record the current step's answer and move on."""
        step = self.stack.currentIndex()
        state = self.controller.state
        if state is None:
            return
        if step == self.WAY:
            value = self.way.value()
            if value is None:
                return
            if value != state.way_forward and not self._act("record_way_forward", value):
                return
            self._go(self.PULSE)
        elif step == self.PULSE:
            value = self.pulse.value()
            if (
                value is not None
                and value != state.pulse_end
                and not self._act("record_closing_pulse", value)
            ):
                return
            if self.total:
                self._go(self.INTRO)
            else:  # everyone left before the close: no one to hand the laptop to
                self._show_finish()
        elif step in (self.INTRO, self.HANDOVER):
            self._next_person()

    def back(self) -> None:
        step = self.stack.currentIndex()
        previous = {
            self.PULSE: self.WAY,
            self.INTRO: self.PULSE,
            self.FINISH: self.INTRO if self.total else self.PULSE,
        }
        if step in previous and not self.done:
            self._go(previous[step])

    def _next_person(self) -> None:
        if self.person < self.total and self.recorded < self.total:
            self.stack.setCurrentIndex(self.RATING)
            self.rating.reset(self.person + 1, self.total)
            self._sync_nav()
        else:
            self._show_finish()

    def save_rating(self) -> None:
        """Record this person's answers (a skipped question is None) and hand over."""
        if not self.rating.save_button.isEnabled():
            return
        if not self._act("rate", **self.rating.values()):
            return
        self._hand_over()

    def skip_person(self) -> None:
        """Skipping a person records nothing; the facilitator simply moves on. With answers
        on the screen, the person is asked first (No, the default, keeps them): Tab from an
        unfinished form reaches Skip, and Enter there must not throw them away."""
        given = any(c.answered() for c in self.rating.questions.values())
        if (
            given
            and self.stack.currentIndex() == self.RATING
            and not self.confirm(
                "Skip?",
                "Record nothing for you and move on? The answers on this screen will not be kept.",
            )
        ):
            return
        self._hand_over()

    def _hand_over(self) -> None:
        self.person += 1
        # Clear at once, so the next person cannot page back to these answers.
        self.rating.reset(self.person + 1, self.total)
        more = self.person < self.total and self.recorded < self.total
        self.handover_text.setText(
            "Please pass the laptop to the next person."
            if more
            else "Please hand the laptop back to the facilitator."
        )
        self._go(self.HANDOVER)

    def _show_finish(self) -> None:
        state = self.controller.state
        lines: list[str] = []
        if state is not None:
            if state.way_forward:
                lines.append(f"Way forward reached: {WAY_FORWARD[state.way_forward]}")
            if state.pulse_start is not None or state.pulse_end is not None:
                start = "—" if state.pulse_start is None else str(state.pulse_start)
                end = "—" if state.pulse_end is None else str(state.pulse_end)
                lines.append(f"Tension pulse: {start} at the start, {end} at the close")
            lines.append(
                f"Ratings: {self.recorded} of {_people(self.total)} answered"
                if self.total
                else "Ratings: no one was in the room at the close to answer"
            )
        self.summary.setText("\n".join(lines))
        if self.done:
            self._show_done()
        else:
            self._say_what_happens_to_names()
            self.finish_title.setText("Complete the session")
            self.complete_button.show()
            self.home_button.hide()
        self._go(self.FINISH)

    def set_keep_names(self, keep: bool) -> None:
        """The View menu's setting changed (it is there on the Complete step): completion
        follows it, and the note says so."""
        self.keep_names = keep
        if self.done:
            self._say_what_became_of_names()  # the names of the record just completed
        else:
            self._say_what_happens_to_names()

    def _say_what_happens_to_names(self) -> None:
        self.names_note.setText(
            "Names stay with this record, as your settings say."
            if self.keep_names
            else "On completion, names are replaced by agency and role."
        )

    def complete(self) -> None:
        """Complete the session and, unless settings keep them, remove the names."""
        if self.done:
            return
        state = self.controller.state
        if state is not None and state.status != "completed":
            # Completion and the removal of names are one transaction (both or neither).
            with self._showing_refusals():
                finished = self.controller.finish("complete", remove_names=not self.keep_names)
            if not finished:
                return
        # Already completed (names kept then, or an older build): names go before anything
        # else happens; if that fails the facilitator sees why and can press Complete again.
        if not self.keep_names and not self.controller.remove_names():
            return
        self.done = True
        self._show_done()
        self._sync_nav()
        self.completed.emit()

    def _say_what_became_of_names(self) -> None:
        state = self.controller.state
        removed = state is not None and state.names_removed
        self.names_note.setText(
            "Names have been replaced by agency and role."
            if removed
            else "Names are kept with this record."
        )

    def _show_done(self) -> None:
        self._say_what_became_of_names()
        self.finish_title.setText("The session is complete.")
        self.complete_button.hide()
        self.home_button.show()
        self.home_button.setFocus()

    # --- keys and messages ----------------------------------------------------------------
    def _on_enter(self) -> None:
        """Enter presses a focused push button, otherwise the step's main action."""
        focused = QApplication.focusWidget()
        if (
            isinstance(focused, QPushButton)
            and not focused.isCheckable()
            and self.isAncestorOf(focused)
        ):
            if focused.isEnabled():
                focused.click()
            return
        step = self.stack.currentIndex()
        if step == self.RATING:
            if self.rating.save_button.isEnabled():
                self.save_rating()
            else:
                self.rating.to_first_unanswered()
        elif step == self.FINISH:
            if not self.done:  # to the button first: completing cannot be undone
                self.complete_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.next_button.isEnabled():
            self.next()
        elif step == self.WAY:  # Enter did nothing, without a word
            # Not chosen for them: the focus starts on Yes, and an Enter from habit would
            # record the meeting's outcome.
            self.message.setText(
                "Choose Yes, Partly or Not yet first: the arrows move, Space chooses."
            )
            self.message.show()

    @contextlib.contextmanager
    def _showing_refusals(self) -> Iterator[None]:
        """A refusal or a storage failure of what the block does is shown on this screen."""
        self._acting = True
        try:
            yield
        finally:
            self._acting = False

    def _act(self, verb: str, *args: object, **kwargs: object) -> bool:
        with self._showing_refusals():
            return self.controller.act(verb, *args, **kwargs)

    def _on_refused(self, text: str) -> None:
        if self._acting:
            self.message.setText(text)
            self.message.show()


__all__ = ["CloseView", "RatingForm"]
