"""Palettes, type scale and the style sheet (VISUAL.md): calm, legible, colour-blind safe."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QPushButton,
    QStyle,
    QStyleOption,
    QWidget,
)

from rethink_desktop.core.resources import resource_path
from rethink_desktop.core.validation import DEFAULT_AGENCIES


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    background: str
    surface: str
    text: str
    muted: str
    accent: str
    on_time: str
    attention: str
    over: str
    space: str
    space_wash: str
    border: str
    outline_px: int = 1
    control: str = ""  # the edge of fields, buttons and tables, if not ``border``


THEMES: dict[str, Theme] = {
    "light": Theme(
        "light", "Light", "#F7F5F2", "#FFFFFF", "#1F2A30", "#55636B", "#2F6B72",
        "#3C7A4E", "#8A5A00", "#9A3F2E", "#4B5FA6", "#E6E9F5", "#D9D4CC", control="#8C8880",
    ),
    "dark": Theme(
        "dark", "Dark", "#151A1E", "#1F262B", "#ECEFF1", "#A9B4BA", "#7CC3C9",
        "#86C79A", "#E2B45C", "#EE9A86", "#A9B6F0", "#232A3F", "#313B42", control="#6B7780",
    ),
    "high_contrast": Theme(
        "high_contrast", "High contrast", "#FFFFFF", "#FFFFFF", "#000000", "#000000",
        "#0050C8", "#000000", "#000000", "#000000", "#0050C8", "#FFFFFF", "#000000", 2,
    ),
    "high_contrast_dark": Theme(
        "high_contrast_dark", "High contrast (dark)", "#000000", "#000000", "#FFFFFF",
        "#FFFFFF", "#FFD400", "#FFFFFF", "#FFFFFF", "#FFFFFF", "#FFD400", "#000000",
        "#FFFFFF", 2,
    ),
}  # fmt: skip

# Okabe–Ito: distinguishable with the common colour-vision deficiencies; always paired
# with the agency's name.
AGENCY_COLOURS = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
)  # fmt: skip

# Type scale, as multiples of the user's base font.
SCALE = {
    "clock": 6.0,
    "speaker": 2.5,
    "phase": 2.0,
    "turn": 2.0,
    "card": 1.6,
    "body": 1.0,
    "label": 0.9,
    "heading": 1.5,
}


def is_dark(theme: Theme) -> bool:
    """Whether ``theme`` draws on a dark background (dark, high contrast dark)."""
    return QColor(theme.background).lightness() < 128


def agency_ink(colour: str, theme: Theme) -> str:
    """An agency's colour as drawn on ``theme``: the palette's black turns light on a dark
    theme, where it would vanish into the background."""
    return "#E8E8E8" if colour == "#000000" and is_dark(theme) else colour


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio of two colours (1 to 21)."""

    def luminance(colour: str) -> float:
        c = QColor(colour)
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
               for v in (c.redF(), c.greenF(), c.blueF())]  # fmt: skip
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def agency_edge(colour: str, theme: Theme) -> str | None:
    """A darker edge for an agency's colour that barely shows on ``theme``'s background
    (the palette's yellow on the light track, 1.2 : 1), or None where it shows by itself."""
    ink = agency_ink(colour, theme)
    if contrast(ink, theme.background) >= 1.6:
        return None
    return QColor(ink).darker(170).name()


def agency_colours(
    agencies: Iterable[str], colours: Sequence[str] = AGENCY_COLOURS
) -> dict[str, str]:
    """Each agency's colour in one session: the same agency keeps its colour from session to
    session where it can, and no two agencies of a session share one while there are enough.

    The usual agencies (``DEFAULT_AGENCIES``, in order) each prefer a colour of their own
    (the first eight; the rest, and any other agency, take the first colour still free, in
    that order, then the names' alphabetical order). Past as many agencies as colours, they
    repeat.
    """
    preferred = {name.casefold(): i for i, name in enumerate(DEFAULT_AGENCIES)}
    names = sorted(
        set(agencies),
        key=lambda a: (preferred.get(a.casefold(), len(preferred)), a.casefold(), a),
    )
    taken: dict[str, str] = {}
    free = list(range(len(colours)))
    for name in names:
        rank = preferred.get(name.casefold())
        want = rank if rank in free else free[0] if free else len(taken) % len(colours)
        if want in free:
            free.remove(want)
        taken[name] = colours[want]
    return taken


def base_point_size() -> float:
    app = QApplication.instance()
    font = app.font() if isinstance(app, QApplication) else QFont()
    size = font.pointSizeF()
    return size if size > 0 else 10.0


def scaled_font(role: str, *, bold: bool = False, tabular: bool = False) -> QFont:
    """A font ``SCALE[role]`` times the base size; clocks get tabular (equal-width) digits."""
    font = QFont(QApplication.font())
    font.setPointSizeF(base_point_size() * SCALE[role])
    font.setBold(bold)
    if tabular:
        font.setFeature(QFont.Tag("tnum"), 1)
    return font


def set_font_role(widget: QWidget, role: str, *, bold: bool = False, tabular: bool = False) -> None:
    widget.setFont(scaled_font(role, bold=bold, tabular=tabular))


def palette_for(theme: Theme) -> QPalette:
    pal = QPalette()
    colours = {
        QPalette.ColorRole.Window: theme.background,
        QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.surface,
        QPalette.ColorRole.AlternateBase: theme.background,
        QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.Button: theme.surface,
        QPalette.ColorRole.ButtonText: theme.text,
        QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: theme.surface,
        QPalette.ColorRole.ToolTipBase: theme.surface,
        QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.PlaceholderText: theme.muted,
        QPalette.ColorRole.Link: theme.accent,
    }
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(theme.muted))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(theme.muted))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(theme.muted))
    return pal


def arrow(direction: str, theme: Theme) -> str:
    """The small arrow image for spin boxes and combo boxes, in the theme's muted colour."""
    return resource_path("styles", f"arrow-{direction}-{theme.name}.svg").as_posix()


def style_sheet(theme: Theme) -> str:
    """Quiet surfaces, 6 px corners, a clear focus ring in the accent colour (in the text
    colour on a button filled with the accent, where an accent ring would not show, with a
    ring of the surface colour inside it drawn by :class:`FocusRingStyle`). The
    ring is twice as thick as a resting edge, so focus shows by shape as well as colour
    (high contrast draws every edge 2 px black: a blue 2 px ring was a colour alone). The
    rules for a destructive button and a field with a problem come after the focus rule
    and would hide it: each has a focus rule of its own, thicker than its own edge.

    Check boxes and radio buttons draw their own indicators (the platform's are faint on the
    dark themes): a border in the muted colour, and when checked an accent square or dot
    inside an accent ring, so the state shows by shape as well as colour.
    """
    o = theme.outline_px
    ring = 2 * o
    faint = f"#99{theme.muted[1:]}"  # disabled indicators: the muted colour at 60 %
    # The edge of a control (field, button, table): 3 : 1 against the page (WCAG 1.4.11);
    # the panels' own edge stays the quieter border colour.
    edge = theme.control or theme.border
    # A filled button's thicker focus border comes out of its padding, not its text (which
    # lost a pixel or two each side and could be cut at its narrowest).
    filled = filled_focus_px(theme)
    grow = filled - o
    return f"""
    QWidget {{ color: {theme.text}; }}
    QMenu {{ background: {theme.surface}; border: {o}px solid {theme.border}; padding: 4px 0; }}
    QMenu::item {{ padding: 5px 28px 5px 28px; }}
    QMenu::item:selected {{ background: {theme.accent}; color: {theme.surface}; }}
    QMenu::item:disabled {{ color: {theme.muted}; font-style: italic; }}
    QMenu::separator {{ height: 1px; background: {theme.border}; margin: 4px 10px; }}
    QMenuBar::item:selected {{ background: {theme.accent}; color: {theme.surface}; }}
    QFrame#panel {{ background: {theme.surface}; border: {o}px solid {theme.border};
                    border-radius: 8px; }}
    QLabel[muted="true"] {{ color: {theme.muted}; }}
    QLabel[tone="on_time"] {{ color: {theme.on_time}; }}
    QLabel[tone="attention"] {{ color: {theme.attention}; }}
    QLabel[tone="over"] {{ color: {theme.over}; }}
    QLabel[tone="space"] {{ color: {theme.space}; }}
    QLabel[tone="accent"] {{ color: {theme.accent}; }}
    QLabel[problem="true"] {{ color: {theme.over}; }}
    QPushButton {{ background: {theme.surface}; border: {o}px solid {edge};
                   border-radius: 6px; padding: 6px 14px; }}
    QCheckBox, QRadioButton {{ border: {ring}px solid transparent; padding: 1px 3px; }}
    QPushButton:focus, QLineEdit:focus, QComboBox:focus, QSpinBox:focus,
    QTableView:focus, QListView:focus, QTreeView:focus, QCheckBox:focus, QRadioButton:focus,
    QDateTimeEdit:focus, QTableWidget:focus, QListWidget:focus {{
        border: {ring}px solid {theme.accent}; }}
    QScrollArea[focusRing="true"], QTableView[focusRing="true"] {{
        border: {ring}px solid transparent; border-radius: 6px; }}
    QScrollArea[focusRing="true"]:focus, QTableView[focusRing="true"]:focus {{
        border-color: {theme.accent}; }}
    QTableView[focusRing="edge"] {{ border: {o}px solid {edge}; padding: {ring - o}px; }}
    QTableView[focusRing="edge"]:focus {{ border: {ring}px solid {theme.accent}; padding: 0px; }}
    QPushButton[primary="true"] {{ background: {theme.accent}; color: {theme.surface};
                                   border-color: {theme.accent}; font-weight: bold; }}
    QPushButton:disabled {{ color: {theme.muted}; border-style: dashed;
                            border-color: {theme.border}; }}
    QPushButton[primary="true"]:disabled {{ background: {theme.surface}; color: {theme.muted};
                                            border-color: {theme.border}; }}
    QPushButton:checked {{ background: {theme.accent}; color: {theme.surface};
                           border: 2px solid {theme.accent}; font-weight: bold; }}
    QPushButton[primary="true"]:focus, QPushButton:checked:focus {{
        border: {filled}px solid {theme.text}; padding: {6 - grow}px {14 - grow}px; }}
    QPushButton[square="true"] {{ padding: 4px 6px; }}
    QPushButton[square="true"]:checked:focus {{
        padding: {max(0, 4 - (filled - 2))}px {max(0, 6 - (filled - 2))}px; }}
    QComboBox:disabled, QLineEdit:disabled, QSpinBox:disabled {{ color: {theme.muted};
                                                                background: {theme.background}; }}
    QLineEdit, QComboBox, QSpinBox, QDateTimeEdit {{ background: {theme.surface};
        border: {o}px solid {edge}; border-radius: 6px; padding: 4px 6px; }}
    QLineEdit[problem="true"], QSpinBox[problem="true"] {{ border: 2px solid {theme.over}; }}
    QLineEdit[problem="true"]:focus, QSpinBox[problem="true"]:focus {{
        border: {ring + 2}px solid {theme.accent}; }}
    QSpinBox[readOnly="true"] {{ background: {theme.background}; }}
    QSpinBox::up-button, QSpinBox::down-button, QDateTimeEdit::up-button,
    QDateTimeEdit::down-button {{ width: 18px; border: none; background: transparent; }}
    QSpinBox::up-arrow, QDateTimeEdit::up-arrow {{ image: url({arrow("up", theme)});
        width: 10px; height: 6px; }}
    QSpinBox::down-arrow, QDateTimeEdit::down-arrow, QComboBox::down-arrow {{
        image: url({arrow("down", theme)}); width: 10px; height: 6px; }}
    QComboBox::drop-down, QDateTimeEdit::drop-down {{ width: 22px; border: none;
        background: transparent; }}
    QSpinBox[stepper="false"]::up-button, QSpinBox[stepper="false"]::down-button {{
        width: 0px; border: none; }}
    QProgressBar {{ border: {o}px solid {theme.border}; border-radius: 4px;
                    background: {theme.background}; text-align: center; }}
    QProgressBar::chunk {{ background: {theme.accent}; border-radius: 3px; }}
    QHeaderView::section {{ background: {theme.background}; color: {theme.muted};
                            border: none; padding: 4px; }}
    QPushButton[destructive="true"] {{ color: {theme.over};
                                       border: {o + 1}px solid {theme.over}; }}
    QPushButton[destructive="true"]:disabled {{ color: {theme.muted};
                                                border: {o}px solid {theme.border}; }}
    QPushButton[destructive="true"]:focus {{ border: {ring + 1}px solid {theme.text}; }}
    QCheckBox::indicator, QRadioButton::indicator {{ background: {theme.surface};
        border: 2px solid {theme.muted}; }}
    QCheckBox::indicator {{ width: 0.6em; height: 0.6em; padding: 2px; border-radius: 3px;
                            background-clip: content; }}
    QRadioButton::indicator {{ width: 0.9em; height: 0.9em; border-radius: 0.45em; }}
    QCheckBox::indicator:hover, QRadioButton::indicator:hover {{ border-color: {theme.text}; }}
    QCheckBox::indicator:checked {{ border-color: {theme.accent}; background: {theme.accent}; }}
    QCheckBox::indicator:indeterminate {{ border-color: {theme.accent};
        background: qlineargradient(x1:0, y1:0, x2:0, y2:1, stop:0 {theme.surface},
            stop:0.35 {theme.surface}, stop:0.36 {theme.accent}, stop:0.64 {theme.accent},
            stop:0.65 {theme.surface}, stop:1 {theme.surface}); }}
    QRadioButton::indicator:checked {{ border-color: {theme.accent};
        background: qradialgradient(cx:0.5, cy:0.5, radius:0.5, fx:0.5, fy:0.5,
            stop:0 {theme.accent}, stop:0.55 {theme.accent}, stop:0.62 {theme.surface},
            stop:1 {theme.surface}); }}
    QCheckBox::indicator:disabled, QRadioButton::indicator:disabled {{
        border-color: {faint}; background: {theme.background}; }}
    QCheckBox::indicator:checked:disabled {{ background: {faint}; }}
    QRadioButton::indicator:checked:disabled {{
        background: qradialgradient(cx:0.5, cy:0.5, radius:0.5, fx:0.5, fy:0.5,
            stop:0 {faint}, stop:0.55 {faint}, stop:0.62 {theme.background},
            stop:1 {theme.background}); }}
    """ + (_bold_scroll_bars(theme) if theme.outline_px > 1 else "")


def _bold_scroll_bars(theme: Theme) -> str:
    """High contrast: scroll bars in the text colour, edged, with no arrows (the platform's
    handle was #1E1E1E on black, 1.2 : 1, the only sign that Start or Save lay below); and a
    button that cannot be pressed now is in italics as well as dashed (its words are as
    strong as any other's there, the muted colour being the text colour)."""
    return f"""
    QScrollBar {{ background: {theme.background}; border: 1px solid {theme.text}; }}
    QScrollBar:vertical {{ width: 14px; }}
    QScrollBar:horizontal {{ height: 14px; }}
    QScrollBar::handle {{ background: {theme.text}; margin: 2px; }}
    QScrollBar::handle:vertical {{ min-height: 24px; }}
    QScrollBar::handle:horizontal {{ min-width: 24px; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ width: 0px; height: 0px; border: none; }}
    QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
    QPushButton:disabled {{ font-style: italic; }}
    """


def filled_focus_px(theme: Theme) -> int:
    """The focus border of a button filled with the accent: a pixel more than the focus
    ring elsewhere, as the filled button's resting edge is thicker too."""
    return 2 * theme.outline_px + 1


class FocusRingStyle(QProxyStyle):
    """The platform's style, and one thing Qt's style sheets cannot draw: on a focused
    button filled with the accent (a primary one, or the chosen one of a row of choices), a
    2 px ring in the surface colour just inside its focus border.

    The border alone turned the accent edge into the text colour, 1.4 : 1 on the yellow of
    high contrast (dark), 1.7 : 1 on the dark theme's blue: focus showed by colour alone,
    faintly. The inner ring changes accent pixels to the surface colour (5.6 : 1 to 14.7 : 1
    in the four themes), so focus shows by shape. Qt asks for a focus frame only when a
    button has the keys; the live screen's buttons never take them, so this costs a key
    press there nothing."""

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if (
            element == QStyle.PrimitiveElement.PE_FrameFocusRect
            and isinstance(widget, QPushButton)
            and is_filled(widget)
        ):
            # The platform's own frame (around the text, in the accent) would not show on
            # the accent fill: the ring replaces it.
            draw_inner_ring(painter, widget, current_theme())
            return
        super().drawPrimitive(element, option, painter, widget)

    def styleHint(
        self,
        hint: QStyle.StyleHint,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
        data: Any = None,
    ) -> int:
        # No icons on dialog buttons: on Linux desktops the platform gives Yes a green dot,
        # No a red one, Record a tick and Cancel a red cross, traffic lights on "End the
        # session?" in a tense room. The words say it.
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 0
        return super().styleHint(hint, option, widget, data)


def is_filled(button: QPushButton) -> bool:
    """Whether the style sheet fills ``button`` with the accent (primary, or checked)."""
    return button.isEnabled() and (
        button.isChecked() or button.property("primary") in (True, "true")
    )


def draw_inner_ring(painter: QPainter, widget: QWidget, theme: Theme) -> None:
    border, pen = filled_focus_px(theme), 2
    inset = border + pen / 2
    radius = max(1.0, 6 - border)  # inside the style sheet's 6 px corner
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(theme.surface), pen))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(
        QRectF(widget.rect()).adjusted(inset, inset, -inset, -inset), radius, radius
    )
    painter.restore()


def apply_theme(app: QApplication, name: str) -> Theme:
    theme = THEMES.get(name, THEMES["light"])
    if not app.property("rethinkFocusRing"):
        # Set once, before any window (setting a style later re-polishes every widget).
        # app.style() answers with the style sheet's own style, hence the property.
        app.setStyle(FocusRingStyle())
        app.setProperty("rethinkFocusRing", True)
    app.setProperty("rethinkTheme", theme.name)
    app.setPalette(palette_for(theme))
    app.setStyleSheet(style_sheet(theme))
    return theme


def current_theme() -> Theme:
    app = QApplication.instance()
    name = app.property("rethinkTheme") if app is not None else None
    return THEMES.get(name or "light", THEMES["light"])


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property such as ``tone`` changes."""
    if not widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        return  # not shown yet: it is polished, property and all, when it first is
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
