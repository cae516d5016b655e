"""Agency colours: the same agency keeps its colour between sessions, none shared within one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtWidgets import QApplication

from rethink_desktop.core.validation import DEFAULT_AGENCIES
from rethink_desktop.reports.pdf import TimelinePalette
from rethink_desktop.reports.pdf import agency_colours as pdf_colours
from rethink_desktop.ui.live import LiveView
from rethink_desktop.ui.theme import AGENCY_COLOURS, THEMES, Theme, agency_colours, apply_theme
from tests.ui.conftest import start_live


@contextmanager
def each_theme(*names: str) -> Iterator[Iterator[tuple[str, Theme]]]:
    """The themes (every one, unless named), each applied to the app as the loop reaches
    it; the light theme again afterwards, as the other tests expect, even after a failure."""
    app = QApplication.instance()

    def applied() -> Iterator[tuple[str, Theme]]:
        for name in names or tuple(THEMES):
            apply_theme(app, name)
            yield name, THEMES[name]

    try:
        yield applied()
    finally:
        apply_theme(app, "light")


OTHER = st.text(alphabet="ABCDEFGHIJKLmnopqrstuvwxyz '-", min_size=1, max_size=12)
AGENCIES = st.lists(st.sampled_from(DEFAULT_AGENCIES) | OTHER, min_size=1, max_size=14)


@given(AGENCIES)
def test_no_two_agencies_of_a_session_share_a_colour_while_there_are_enough(agencies):
    colours = agency_colours(agencies)
    assert set(colours) == set(agencies)
    assert set(colours.values()) <= set(AGENCY_COLOURS)
    if len(set(agencies)) <= len(AGENCY_COLOURS):
        assert len(set(colours.values())) == len(set(agencies))


@given(AGENCIES, st.randoms(use_true_random=False))
def test_the_colours_do_not_depend_on_the_seating_order(agencies, random):
    shuffled = list(agencies)
    random.shuffle(shuffled)
    assert agency_colours(shuffled) == agency_colours(agencies)


@given(AGENCIES)
def test_the_usual_agencies_keep_their_own_colour_whoever_else_is_there(agencies):
    colours = agency_colours(agencies)
    for rank, agency in enumerate(DEFAULT_AGENCIES[: len(AGENCY_COLOURS)]):
        if agency in colours:
            assert colours[agency] == AGENCY_COLOURS[rank]


def test_an_agency_typed_in_another_case_is_the_same_agency():
    assert agency_colours(["police", "EDUCATION"]) == {
        "police": AGENCY_COLOURS[DEFAULT_AGENCIES.index("Police")],
        "EDUCATION": AGENCY_COLOURS[DEFAULT_AGENCIES.index("Education")],
    }


def test_the_live_view_and_the_record_give_an_agency_the_same_colour(qtbot, controller):
    people = [
        {"name": name, "agency": agency, "role": "r"}
        for name, agency in (("Ann", "Police"), ("Bo", "Family court"), ("Cy", "Health"))
    ]
    start_live(controller, participants=people)
    view = LiveView(controller)
    qtbot.addWidget(view)
    view.refresh()
    state = controller.state
    on_screen = {p.agency: view._rows[p.id].bar.colour for p in state.participants}
    in_record = {a: c.name().upper() for a, c in pdf_colours(state, TimelinePalette()).items()}
    assert on_screen == in_record
    assert on_screen["Police"] == AGENCY_COLOURS[DEFAULT_AGENCIES.index("Police")]
    view.close()


def test_no_agency_bar_vanishes_into_a_dark_theme(qtbot):
    """Black, the palette's eighth colour (a usual agency's now), is drawn light on the dark
    themes: on their near-black background its bar could not be seen."""
    from PySide6.QtGui import QColor

    from rethink_desktop.ui.live import TalkBar

    with each_theme() as themes:
        for name, theme in themes:
            for colour in AGENCY_COLOURS:
                bar = TalkBar(colour)
                qtbot.addWidget(bar)
                bar.resize(120, 12)
                bar.set_share(1.0, 0.5)  # filled
                drawn = bar.grab().toImage().pixelColor(30, 6)
                contrast = abs(drawn.lightness() - QColor(theme.background).lightness())
                assert contrast > 40, (name, colour, drawn.name())


def test_a_highlighted_menu_item_is_light_on_the_accent_and_a_disabled_one_is_muted(qtbot):
    """Dark text on the accent (2.4:1) was the highlighted item; disabled items looked like
    the others though the keys skipped them."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QAction, QColor
    from PySide6.QtWidgets import QMenu

    from rethink_desktop.ui.theme import contrast as contrast_ratio

    with each_theme("light", "high_contrast", "dark") as themes:
        for _, theme in themes:
            menu = QMenu()
            qtbot.addWidget(menu)
            first = QAction("Export records to a file…", menu)
            menu.addAction(first)
            off = QAction("Restore from a backup…", menu)
            off.setEnabled(False)
            menu.addAction(off)
            menu.popup(QPoint(0, 0))
            menu.setActiveAction(first)
            qtbot.waitUntil(menu.isVisible)
            image = menu.grab().toImage()
            box = menu.actionGeometry(first)
            assert image.pixelColor(box.left() + 3, box.center().y()) == QColor(theme.accent)
            lit = {image.pixelColor(x, y).name() for x in range(box.left(), box.right())
                   for y in range(box.top(), box.bottom())}  # fmt: skip
            assert QColor(theme.surface).name() in lit  # its words, light on the accent
            assert QColor(theme.text).name() not in lit
            assert contrast_ratio(theme.surface, theme.accent) >= 4.5
            if theme.muted != theme.text:  # high contrast: italic, in the text colour
                row = menu.actionGeometry(off)
                inked = {image.pixelColor(x, y).name() for x in range(row.left(), row.right())
                         for y in range(row.top(), row.bottom())}  # fmt: skip
                assert QColor(theme.muted).name() in inked
                assert QColor(theme.text).name() not in inked
            menu.hide()


def test_a_pale_agency_colour_gets_a_darker_edge_on_its_talk_bar(qtbot):
    """The palette's yellow on the light track was 1.2 : 1, the bar all but invisible."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication

    from rethink_desktop.ui.live import TalkBar
    from rethink_desktop.ui.theme import THEMES, agency_edge, apply_theme, contrast

    light = THEMES["light"]
    assert contrast("#F0E442", light.background) < 1.6
    edge = agency_edge("#F0E442", light)
    assert edge is not None
    assert contrast(edge, light.background) >= 3
    assert agency_edge("#0072B2", light) is None  # blue shows by itself
    apply_theme(QApplication.instance(), "light")
    bar = TalkBar("#F0E442")
    qtbot.addWidget(bar)
    bar.resize(201, 12)
    bar.set_share(0.5, 0.25)
    image = bar.grab().toImage()
    assert image.pixelColor(50, 1) == QColor(edge)  # the fill's top edge
    assert image.pixelColor(50, 6) == QColor("#F0E442")  # the fill itself


def test_a_focused_filled_button_shows_focus_by_shape_not_colour_alone(qtbot):
    """On a button filled with the accent, focus only turned its edge from the accent to
    the text colour: 1.4 : 1 on high contrast (dark)'s yellow. A ring of the surface colour
    now runs just inside the focus border, on a primary button and on a chosen rating."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QHBoxLayout, QWidget

    from rethink_desktop.ui import widgets
    from rethink_desktop.ui.checkin import ChoiceButtons
    from rethink_desktop.ui.theme import contrast, filled_focus_px

    with each_theme() as themes:
        for name, theme in themes:
            holder = QWidget()
            qtbot.addWidget(holder)
            row = QHBoxLayout(holder)
            primary = widgets.button("Start — close the doors", "Start", primary=True)
            plain = widgets.button("Back", "Back")
            rating = ChoiceButtons("Clarity", [(n, str(n)) for n in range(1, 6)], square=True)
            for widget in (primary, plain, rating):
                row.addWidget(widget)
            holder.show()
            rating.buttons[2].setChecked(True)
            for button in (primary, rating.buttons[2]):
                y = filled_focus_px(theme)  # the first pixel row inside the focus border
                x = button.width() // 2
                plain.setFocus()
                qtbot.waitUntil(plain.hasFocus)
                resting = button.grab().toImage().pixelColor(x, y)
                button.setFocus()
                qtbot.waitUntil(button.hasFocus)
                image = button.grab().toImage()
                assert resting == QColor(theme.accent), name
                assert image.pixelColor(x, y) == QColor(theme.surface), name
                assert image.pixelColor(x, y - 1) == QColor(theme.text), name  # the border
                assert contrast(theme.accent, theme.surface) >= 3, name
            holder.close()


def test_a_chosen_focused_choice_keeps_room_for_its_text_in_every_theme(qtbot):
    """The thicker focus edge of a filled button came out of the text's room on the square
    choices (the tension pulse's "10" read "LC" in high contrast (dark)): their own padding
    rule overrode the app's, which gives that edge back from the padding."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import (
        QHBoxLayout,
        QStyle,
        QStyleOptionButton,
        QWidget,
    )

    from rethink_desktop.ui import widgets
    from rethink_desktop.ui.checkin import ChoiceButtons

    def room(button) -> int:
        option = QStyleOptionButton()
        button.initStyleOption(option)
        element = QStyle.SubElement.SE_PushButtonContents
        return button.style().subElementRect(element, option, button).width()

    with each_theme() as themes:
        for name, _ in themes:
            holder = QWidget()
            qtbot.addWidget(holder)
            row = QHBoxLayout(holder)
            pulse = ChoiceButtons("Pulse", [(n, str(n)) for n in range(1, 11)], square=True)
            rating = ChoiceButtons(
                "Clarity", [(n, str(n)) for n in range(1, 6)], role="card", square=True,
                skip_text="Skip",
            )  # fmt: skip
            way = ChoiceButtons("Way forward", [("yes", "Yes"), ("partly", "Partly")])
            for widget in (pulse, rating, way, widgets.button("Back", "Back")):
                row.addWidget(widget)
            holder.show()
            for choice in (pulse, rating, way):
                for button in choice.buttons:
                    button.setChecked(True)
                    button.setFocus()
                    qtbot.waitUntil(button.hasFocus)
                    needed = QFontMetrics(button.font()).horizontalAdvance(button.text())
                    assert room(button) >= needed, (name, button.text())
            holder.close()


def test_prepare_s_tables_show_focus_by_a_thicker_edge(qtbot):
    """Their native 1 px frame only changed colour on focus (3.2 : 1 in light, from nothing
    in high contrast (dark)): now a resting edge of the theme's width, and a ring twice that,
    with the rows staying where they are."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

    from rethink_desktop.ui.prepare import RowTable

    with each_theme() as themes:
        for name, theme in themes:
            holder = QWidget()
            qtbot.addWidget(holder)
            column = QVBoxLayout(holder)
            other, table = QLineEdit(), RowTable()
            column.addWidget(other)
            column.addWidget(table)
            holder.show()
            other.setFocus()
            qtbot.waitUntil(other.hasFocus)
            edge = theme.outline_px
            resting, rows_at = top_edge(table, edge), table.viewport().geometry()
            table.setFocus()
            qtbot.waitUntil(table.hasFocus)
            focused = top_edge(table, edge)
            border = QColor(theme.control or theme.border).name()
            accent = QColor(theme.accent).name()
            assert resting[:edge] == [border] * edge, name
            assert accent not in resting[edge:], name
            assert focused == [accent] * (2 * edge), name
            assert table.viewport().geometry() == rows_at, name  # the rows do not move
            holder.close()


def top_edge(widget, edge: int) -> list[str]:
    """The colours of the top ``2 * edge`` pixel rows at the middle of ``widget``."""
    image = widget.grab().toImage()
    return [image.pixelColor(widget.width() // 2, y).name() for y in range(2 * edge)]


def test_the_edge_of_every_control_stands_out_from_the_page(qtbot):
    """Fields and buttons were edged 1.47 : 1 against the light page (1.34 : 1 dark), too
    faint to find a field by (WCAG 1.4.11 asks 3 : 1 of a control's boundary)."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QLineEdit, QPushButton

    from rethink_desktop.ui.theme import contrast

    with each_theme() as themes:
        for name, theme in themes:
            edge = theme.control or theme.border
            for page in (theme.surface, theme.background):
                assert contrast(edge, page) >= 3, (name, page)
            for control in (QLineEdit("FN-2291"), QPushButton("Back")):
                qtbot.addWidget(control)
                control.resize(200, 40)
                assert top_edge(control, 1)[0] == QColor(edge).name(), (name, control)


def test_high_contrast_scroll_bars_are_drawn_in_the_text_colour(qtbot):
    """The platform's handle was #1E1E1E on black (1.2 : 1) in high contrast (dark): the
    only sign that more of the screen, Start or Save among it, lay below."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QLabel, QScrollArea

    with each_theme("high_contrast", "high_contrast_dark") as themes:
        for name, theme in themes:
            scroll = QScrollArea()
            qtbot.addWidget(scroll)
            scroll.setWidget(QLabel("\n".join(str(n) for n in range(200))))
            scroll.resize(200, 200)
            scroll.show()
            qtbot.waitExposed(scroll)
            bar = scroll.verticalScrollBar()
            image = bar.grab().toImage()
            handle = image.pixelColor(bar.width() // 2, 6).name()  # near the top: the handle
            assert handle == QColor(theme.text).name(), name


def test_in_high_contrast_a_button_that_cannot_be_pressed_is_in_italics():
    """There the muted colour is the text colour: a disabled button's words were as strong
    as an enabled one's, only its dashed edge told them apart. (Qt keeps a style sheet's
    font out of ``font()``, so the rule is read from the sheet.)"""
    from rethink_desktop.ui.theme import THEMES, style_sheet

    rule = "QPushButton:disabled { font-style: italic; }"
    for name, theme in THEMES.items():
        assert (rule in style_sheet(theme)) == (theme.muted == theme.text), name


def test_a_check_box_s_focus_ring_leaves_room_round_its_words(qtbot):
    """Check-in's "Present" ring lay on the last letter (1 px between them at 150 %)."""
    from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLineEdit, QWidget

    from tests.ui.conftest import larger_text

    with each_theme("light") as themes, larger_text(1.5):
        ((_, theme),) = themes
        ring = 2 * theme.outline_px
        holder = QWidget()
        qtbot.addWidget(holder)
        row = QHBoxLayout(holder)
        other, box = QLineEdit(), QCheckBox("Present")
        row.addWidget(other)
        row.addWidget(box)
        row.addStretch(1)
        holder.show()
        box.setFocus()
        qtbot.waitUntil(box.hasFocus)
        image = box.grab().toImage()
        inner = box.width() - ring
        inked = [
            x for x in range(inner) for y in range(ring, box.height() - ring)
            if image.pixelColor(x, y).lightness() < 100
        ]  # fmt: skip
        assert inner - max(inked) - 1 >= 3  # between the "t" and the ring


def test_dialog_buttons_have_no_icons_whatever_the_desktop_says(qapp):
    """On Linux desktops the platform puts a green dot on Yes, a red one on No, a tick on
    Record and a red cross on Cancel: traffic lights on "End the session?". The app's
    style says no icons, over a platform style that would draw them."""
    from PySide6.QtWidgets import QProxyStyle, QStyle

    from rethink_desktop.ui.theme import FocusRingStyle

    hint = QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons

    class Desktop(QProxyStyle):  # a platform style that asks for icons
        def styleHint(self, asked, option=None, widget=None, data=None):
            return 1 if asked == hint else super().styleHint(asked, option, widget, data)

    assert Desktop("Fusion").styleHint(hint) == 1
    assert FocusRingStyle(Desktop("Fusion")).styleHint(hint) == 0
    assert qapp.style().styleHint(hint) == 0
