"""The PDF summary: produced, one or two A4 pages, and the expected text in it.

The text is read back with ``pdftotext`` (poppler-utils; .ci/run installs it where it can):
Qt embeds subset fonts and compresses the page streams, so the bytes alone do not show the
words. Without the tool the text checks are skipped; the structural checks always run.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.reports.exports import ExportCancelled, export
from rethink_desktop.reports.pdf import draw_timeline, summary_lines
from rethink_desktop.storage.eventlog import EventStore
from tests.helpers import people
from tests.reports.test_exports import finished_session


@pytest.fixture
def store(tmp_path):
    with EventStore.open(tmp_path / "rethink.sqlite") as opened:
        yield opened


def pdf_text(path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


def timeline_image(state, width: int = 1200, height: int = 120):
    """The timeline of ``state`` drawn on white, ``width`` × ``height``."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    draw_timeline(painter, QRectF(0, 0, width, height), state)
    painter.end()
    return image


def card_pixels(state, cards, width: int) -> list[tuple[int, int]]:
    """Where the timeline of ``state`` with ``cards`` differs from it with none: the marks."""
    shown, bare = state.clone(), state.clone()
    shown.cards, bare.cards = cards, []
    with_cards, without = timeline_image(shown, width), timeline_image(bare, width)
    return [
        (x, y)
        for x in range(width)
        for y in range(with_cards.height())
        if with_cards.pixel(x, y) != without.pixel(x, y)
    ]


def test_pdf_summary_has_the_session_and_no_content(store, tmp_path):
    s = finished_session(store)
    out = tmp_path / "summary.pdf"
    assert export(store.db, "pdf", out, session_id=s.id) == 1
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert 1 <= page_count(data) <= 2
    text = pdf_text(out)
    for expected in (
        "FN-2291",
        "Family network",
        "completed",
        "Timeline",
        "Talk time by person",
        "Talk time by agency",
        "Person 1",
        "Education",
        "6 at the start",
        "2 at the end",
        "Communication 5.0 (1)",
        "Way forward reached: Yes",
        "No content",
    ):
        assert expected in text, expected


def test_anonymised_pdf_has_agency_and_role_not_names(store, tmp_path):
    s = finished_session(store)
    out = tmp_path / "anon.pdf"
    export(store.db, "pdf", out, session_id=s.id, anonymise=True)
    text = pdf_text(out)
    assert "Person 1" not in text
    assert "Education · Role 1" in text


def same_name_pdf(store, tmp_path, name: str, roles: tuple[str, str]) -> str:
    """The PDF's text for a session where seats 1 and 3 share ``name``, with ``roles``."""
    circle = people(3)
    circle[0].update(name=name, role=roles[0])
    circle[2].update(name=name, role=roles[1])
    s = finished_session(store, participants=circle)
    out = tmp_path / "same-name.pdf"
    export(store.db, "pdf", out, session_id=s.id)
    return pdf_text(out)


def test_pdf_tells_two_people_with_one_name_apart_by_their_roles(store, tmp_path):
    text = same_name_pdf(store, tmp_path, "Tom", ("School nurse", "GP"))
    assert "Tom (School nurse)" in text
    assert "Tom (GP)" in text


def test_pdf_keeps_the_roles_of_two_long_same_names_when_it_shortens_them(store, tmp_path):
    # Shortened at the end, both rows read "Alexandra-Christabel Montgomery-Fitz…".
    long_name = "Alexandra-Christabel Montgomery-Fitzwilliam"
    text = same_name_pdf(store, tmp_path, long_name, ("Safeguarding lead", "Family worker"))
    assert "(Safeguarding lead)" in text
    assert "(Family worker)" in text


def test_pdf_keeps_a_role_with_brackets_whole_when_it_shortens_the_name(store, tmp_path):
    # The role was taken from the last " (": "…Fitz… (north))" lost "Lead".
    long_name = "Alexandra-Christabel Montgomery-Fitzwilliam"
    text = same_name_pdf(store, tmp_path, long_name, ("Lead (north)", "Lead (south)"))
    assert "(Lead (north))" in text
    assert "(Lead (south))" in text


def test_pdf_needs_a_session_and_honours_cancel(store, tmp_path):
    s = finished_session(store)
    with pytest.raises(ValueError, match="--session"):
        export(store.db, "pdf", tmp_path / "x.pdf")
    with pytest.raises(LookupError):
        export(store.db, "pdf", tmp_path / "x.pdf", session_id="nope")
    with pytest.raises(ExportCancelled):
        export(store.db, "pdf", tmp_path / "x.pdf", session_id=s.id, progress=lambda d, t: d < 1)
    assert list(tmp_path.glob("*.pdf")) == []
    assert list(tmp_path.glob(".*part")) == []


def test_a_full_disk_is_an_error_and_the_pdf_already_there_stays(store, tmp_path, monkeypatch):
    import errno
    import os

    s = finished_session(store)
    out = tmp_path / "s.pdf"
    export(store.db, "pdf", out, session_id=s.id)
    good = out.read_bytes()
    assert good.startswith(b"%PDF")
    assert good.rstrip().endswith(b"%%EOF")

    def full(fd):  # the disk fills as the file is flushed to it
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    # Qt's writer, given the file itself, only warned: an empty file, said to be written.
    with pytest.raises(OSError, match="No space left") as info:
        export(store.db, "pdf", out, session_id=s.id, anonymise=True)
    assert info.value.errno == errno.ENOSPC
    assert out.read_bytes() == good
    assert sorted(
        p.name for p in tmp_path.iterdir() if p.suffix != ".sqlite" and "sqlite" not in p.name
    ) == ["s.pdf"]


def test_timeline_draws_on_an_image_and_a_draft_says_so(store, qapp):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    s = finished_session(store)
    draft = store.new_session(FakeClock())
    for state in (s.state, draft.state):
        image = QImage(600, 120, QImage.Format.Format_ARGB32)
        image.fill(0xFFFFFFFF)
        painter = QPainter(image)
        draw_timeline(painter, QRectF(0, 0, 600, 120), state)
        painter.end()
        assert image.pixel(300, 60) != 0  # something was painted
    assert summary_lines(s.state)["way_forward"] == "Yes"


def page_text(path) -> str:
    """Only the text inside the A4 page (pdftotext would also read what runs off its edge)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    crop = ["-x", "0", "-y", "0", "-W", "595", "-H", "842"]
    return subprocess.run(
        ["pdftotext", *crop, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_long_lines_wrap_inside_the_page_instead_of_running_off_it(store, tmp_path):
    s = finished_session(store)
    out = tmp_path / "summary.pdf"
    export(store.db, "pdf", out, session_id=s.id)
    whole = " ".join(page_text(out).split())  # wrapped lines joined again
    line = f"Ratings, anonymous (average, count): {summary_lines(s.state)['ratings']}"
    assert len(line) > 100  # longer than the page is wide at this size: it has to wrap
    assert line in whole
    assert "Felt heard 5.0 (1)" in whole  # the end of it, which used to fall off the page


def test_space_is_hatched_so_that_it_is_not_told_by_colour_alone(qapp):
    """The space period is drawn with lines over its wash: a block of one flat colour would
    read like an agency's turn to someone who cannot tell the colours apart."""
    from rethink_desktop.core.clock import FakeClock
    from tests.helpers import running

    clock = FakeClock()
    session = running(2, clock)
    session.next_turn()
    clock.advance(600)
    session.next_turn()
    session.toggle_space()
    clock.advance(1800)  # a long space: a quarter of the two hours
    session.toggle_space()
    session.end()
    image = timeline_image(session.state)
    # The middle of the space, on one row: at least two colours (wash and hatch lines).
    y = round(image.height() * 0.55)
    start, end = (round(1200 * f) for f in (0.12, 0.3))
    colours = {image.pixel(x, y) for x in range(start, end)}
    assert len(colours) >= 2


def test_a_card_shown_is_a_triangle_on_the_axis_not_a_tick_like_a_pass(store, qapp):
    """A pass is a thin bar in the turns' row; a card was a tick of the same colour and
    width, told apart only by where it stood. It is a small triangle now."""
    state = finished_session(store).state
    assert state.cards
    changed = card_pixels(state, state.cards, 1200)
    assert changed
    first_x = min(x for x, _ in changed)
    near = [(x, y) for x, y in changed if x <= first_x + 8]  # the first card's mark
    rows = {y for _, y in near}
    widest = max(len({x for x, y in near if y == row}) for row in rows)
    assert widest >= 5  # a base a few pixels wide
    assert len({x for x, y in near if y == min(rows)}) <= 2  # narrowing to a point at the top
    assert len(rows) >= 4


@pytest.mark.parametrize("where", ["start", "end"])
def test_a_card_at_the_very_start_or_end_is_drawn_whole(store, qapp, where):
    """A card shown at 0:00 (during check-in, say) had half its triangle cut off by the
    timeline's left edge."""
    from rethink_desktop.core.state import CardShown
    from rethink_desktop.reports.pdf import end_of

    state = finished_session(store).state
    moment = state.started_at if where == "start" else end_of(state)
    changed = card_pixels(state, [CardShown("c1", 0, moment)], 600)
    rows = {y for _, y in changed}
    assert max(len({x for x, y in changed if y == row}) for row in rows) >= 5  # its whole base
