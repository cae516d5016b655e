"""The layouts that keep a screen inside the window at 150 % type on a small laptop: a row
that goes on to another line (FlowLayout) and panels that go one under the other (Columns)."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

from rethink_desktop.ui.widgets import Columns, FlowLayout


def holder(qtbot, layout, widths: list[int]) -> tuple[QWidget, list[QWidget]]:
    host = QWidget()
    qtbot.addWidget(host)
    host.setLayout(layout)
    parts = []
    for width in widths:
        part = QPushButton("x")
        part.setFixedSize(width, 30)
        layout.addWidget(part)
        parts.append(part)
    return host, parts


def test_a_flow_row_goes_on_to_another_line_only_when_it_has_no_room(qtbot):
    layout = FlowLayout(10)
    host, parts = holder(qtbot, layout, [200, 200, 200])
    assert layout.minimumSize().width() == 200  # the widest part, not the row
    host.resize(700, 200)
    host.show()
    qtbot.waitExposed(host)
    assert [p.y() for p in parts] == [0, 0, 0]
    assert [p.x() for p in parts] == [0, 210, 420]
    assert layout.heightForWidth(700) == 30
    host.resize(450, 200)
    qtbot.wait(10)
    assert [(p.x(), p.y()) for p in parts] == [(0, 0), (210, 0), (0, 40)]
    assert layout.heightForWidth(450) == 70
    assert layout.heightForWidth(200) == 110  # one a line


def test_columns_stand_side_by_side_with_room_and_one_under_the_other_without(qtbot):
    layout = Columns(20)
    layout.setContentsMargins(0, 0, 0, 0)
    host, (left, right) = holder(qtbot, layout, [300, 400])
    assert layout.minimumSize().width() == 400  # one under the other, the wider
    host.resize(800, 300)
    host.show()
    qtbot.waitExposed(host)
    assert left.y() == right.y()
    assert right.x() > left.x() + 300  # beside it
    host.resize(600, 300)  # less than 300 + 20 + 400
    qtbot.wait(10)
    assert right.y() >= left.y() + 30  # under it
    assert layout.minimumSize().height() >= 30 + 20 + 30
    host.resize(900, 300)
    qtbot.wait(10)
    assert left.y() == right.y()  # beside again


def test_a_flow_row_puts_each_part_in_the_middle_of_its_line(qtbot):
    """Top-aligned, the Dashboard's "Include demo sessions" sat above its period list."""
    layout = FlowLayout(10)
    host, parts = holder(qtbot, layout, [200, 200, 200])
    parts[1].setFixedSize(200, 50)  # the tall one sets its line's height
    host.resize(450, 200)
    host.show()
    qtbot.waitExposed(host)
    assert [(p.x(), p.y()) for p in parts] == [(0, 10), (210, 0), (0, 60)]
    assert layout.heightForWidth(450) == 90


def test_columns_in_columns_go_in_rows_that_line_up(qtbot):
    """Four tiles as two pairs: a row of four where it fits, else two rows of two (they went
    in two columns of two, whose tiles did not line up), else one column."""
    outer = Columns(10)
    outer.setContentsMargins(0, 0, 0, 0)
    host = QWidget()
    qtbot.addWidget(host)
    host.setLayout(outer)
    tiles = []
    for _ in range(2):
        pair = Columns(10)
        for _ in range(2):
            tile = QPushButton("x")
            tile.setMinimumSize(200, 30)
            pair.addWidget(tile, 1)
            tiles.append(tile)
        outer.addLayout(pair, 1)
    host.resize(900, 300)
    host.show()
    qtbot.waitExposed(host)
    assert len({t.y() for t in tiles}) == 1
    host.resize(500, 300)
    qtbot.wait(10)
    a, b, c, d = (t.geometry() for t in tiles)
    assert a.y() == b.y() < c.y() == d.y()
    assert a.x() == c.x() < b.x() == d.x()
    host.resize(300, 300)
    qtbot.wait(10)
    assert len({t.x() for t in tiles}) == 1
    assert outer.minimumSize().width() == 200


def test_a_question_box_is_wide_enough_for_its_title_and_a_readable_line(qtbot):
    """On a real desktop "End the session?" opened about 200 px wide: the title bar read
    "End the se…nk Desktop" (Qt measures the title without the app's name, and leaves no
    room for the window's buttons) and the line under it ran three words a line."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QLabel

    from rethink_desktop.ui.widgets import question_box, window_title

    box = question_box(None, "End the session?", "The meeting clock stops and the close begins.")
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    metrics = QFontMetrics(box.font())
    assert box.windowTitle() == window_title("End the session?")
    # The whole title, the app's name with it, and room for an icon and three buttons.
    assert box.width() >= metrics.horizontalAdvance(box.windowTitle()) + 6 * metrics.height()
    info = box.findChild(QLabel, "qt_msgbox_informativelabel")
    assert info.height() <= 2 * metrics.lineSpacing() + 4  # two lines at most, not three


def test_a_question_box_with_a_long_title_stays_on_a_narrow_screen(qtbot, monkeypatch):
    """Sized for its title, "Delete NORTHSHIRE-CSC-2025-0042?" (a reference may have 24
    characters) in large type opened 740 px wide on a laptop Qt sees 683 px wide (1024 × 600
    at 150 % scaling): Yes and No, at the right, were off the screen."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QFont, QScreen
    from PySide6.QtWidgets import QApplication

    from rethink_desktop.ui.widgets import question_box

    monkeypatch.setattr(QScreen, "availableGeometry", lambda screen: QRect(0, 0, 683, 370))
    app = QApplication.instance()
    before = app.font()
    large = QFont(before)
    large.setPointSizeF(before.pointSizeF() * 1.5)
    app.setFont(large)
    try:
        box = question_box(None, "Delete NORTHSHIRE-CSC-2025-0042?", "It goes for good.")
        qtbot.addWidget(box)
        box.show()
        qtbot.waitExposed(box)
        assert box.frameGeometry().width() <= 683
    finally:
        app.setFont(before)


def test_a_chooser_is_as_wide_with_a_font_set_in_pixels(qtbot):
    """Its width counted the font's point size, which is -1 for a font set in pixels: the
    room beside the title for the title bar's buttons went with it."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QFont, QFontMetrics
    from PySide6.QtWidgets import QApplication, QDialog

    from rethink_desktop.ui.widgets import choose

    parent = QWidget()
    qtbot.addWidget(parent)
    before = QApplication.font()
    font = QFont(before)
    font.setPixelSize(16)  # as a style sheet in px, or a desktop's font setting, may give
    QApplication.setFont(font)
    seen = {}

    def look():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        bold = QFont(dialog.font())
        bold.setBold(True)
        title = dialog.windowTitle()
        named = QApplication.applicationDisplayName()
        shown = f"{title} — {named}" if named else title
        metrics = QFontMetrics(bold)
        seen["room"] = dialog.minimumWidth() - metrics.horizontalAdvance(shown)
        seen["height"] = metrics.height()
        dialog.reject()

    QTimer.singleShot(0, look)
    try:
        assert choose(parent, "Leaving early", "Who is leaving early?", ["Ann"], "Record") is None
    finally:
        QApplication.setFont(before)
    assert seen["room"] >= 6 * seen["height"]
