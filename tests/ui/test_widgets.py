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
