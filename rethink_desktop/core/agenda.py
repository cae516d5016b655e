"""Agendas of timed phases and the bundled agenda templates.

A session is two hours, always. An agenda splits those 120 minutes into named phases, each
with a speaking-turn allowance and, optionally, a card to show as the phase opens. Templates
are JSON files (format ``rethink-agenda``, documented in docs/resources.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rethink_desktop.core.resources import check_format, is_int, read_json, resource_path, shown

FORMAT_NAME = "rethink-agenda"
FORMAT_VERSION = 1

SESSION_MINUTES = 120
# A confirmed longer or shorter agenda still has to be a meeting of this kind.
MIN_AGENDA_MINUTES = 60
MAX_AGENDA_MINUTES = 180
MAX_PHASES = 12
MAX_PHASE_NAME_LENGTH = 60
MIN_TURN_SECONDS = 15
MAX_TURN_SECONDS = 1800
MAX_ID_LENGTH = 64

SESSION_KINDS = ("family_network", "thematic", "post_proceedings")
KIND_LABELS = {
    "family_network": "Family network",
    "thematic": "Thematic",
    "post_proceedings": "Post-proceedings",
}

_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class AgendaError(ValueError):
    """An agenda or template that cannot be used; the message says which phase and why."""


@dataclass(frozen=True, slots=True)
class Phase:
    """One timed stage of the session."""

    name: str
    minutes: int
    turn_seconds: int
    opening_card: str | None = None


@dataclass(frozen=True, slots=True)
class Template:
    """A named, ready-made agenda for one kind of session."""

    id: str
    title: str
    kind: str
    description: str
    phases: tuple[Phase, ...]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def total_minutes(self) -> int:
        return planned_total_minutes(self.phases)


def phase_fields(phase: Any) -> dict[str, Any]:
    """A phase (a template's, or a session's) as ``Session.prepare`` and Prepare's table take
    it: name, minutes, turn seconds and opening card."""
    return {
        "name": phase.name,
        "minutes": phase.minutes,
        "turn_seconds": phase.turn_seconds,
        "opening_card": phase.opening_card,
    }


def planned_total_minutes(phases: Iterable[Phase]) -> int:
    """Return the sum of the phases' planned minutes."""
    return sum(phase.minutes for phase in phases)


def phase_start_minutes(phases: Iterable[Phase]) -> list[int]:
    """Return the planned start of each phase, in minutes from the start of the session."""
    starts: list[int] = []
    elapsed = 0
    for phase in phases:
        starts.append(elapsed)
        elapsed += phase.minutes
    return starts


def phase_name_problem(number: int, name: str) -> str | None:
    """What is wrong with phase ``number``'s name (stripped), or None."""
    if not name:
        return f"Phase {number} needs a name."
    if len(name) > MAX_PHASE_NAME_LENGTH:
        return (
            f"Phase {number} has a name of {len(name)} characters; "
            f"the most is {MAX_PHASE_NAME_LENGTH}."
        )
    return None


def agenda_problems(phases: Iterable[Phase], confirm_total: bool = False) -> list[str]:
    """Return every problem with an agenda, in order, as sentences the UI can show inline."""
    phases = list(phases)
    if not phases:
        return ["The agenda needs at least one phase."]
    problems: list[str] = []
    if len(phases) > MAX_PHASES:
        problems.append(
            f"The agenda has {len(phases)} phases; the most it can have is {MAX_PHASES}."
        )
    minutes_ok = True
    for number, phase in enumerate(phases, start=1):
        name = phase.name.strip() if isinstance(phase.name, str) else ""
        label = f'Phase {number} ("{name}")' if name else f"Phase {number}"
        if (problem := phase_name_problem(number, name)) is not None:
            problems.append(problem)
        if not is_int(phase.minutes):
            minutes_ok = False
            problems.append(f"{label} needs its length as a whole number of minutes.")
        elif phase.minutes <= 0:
            minutes_ok = False
            problems.append(f"{label} must last at least 1 minute.")
        elif phase.minutes > SESSION_MINUTES:
            minutes_ok = False
            problems.append(
                f"{label} is {phase.minutes} minutes, longer than the whole two-hour session."
            )
        if not is_int(phase.turn_seconds):
            problems.append(f"{label} needs its speaking turn as a whole number of seconds.")
        elif not MIN_TURN_SECONDS <= phase.turn_seconds <= MAX_TURN_SECONDS:
            problems.append(
                f"{label} has a speaking turn of {phase.turn_seconds} seconds; a turn must be "
                f"between {MIN_TURN_SECONDS} seconds and {MAX_TURN_SECONDS // 60} minutes."
            )
        card = phase.opening_card
        if card is not None and not isinstance(card, str):
            problems.append(f"{label} has an opening card that is not a card id.")
    # A total built from broken minutes would only repeat the phase's own problem.
    total = planned_total_minutes(phases) if minutes_ok else SESSION_MINUTES
    if not MIN_AGENDA_MINUTES <= total <= MAX_AGENDA_MINUTES:
        problems.append(
            f"The phases add up to {total} minutes; an agenda must last between "
            f"{MIN_AGENDA_MINUTES} and {MAX_AGENDA_MINUTES} minutes (one to three hours)."
        )
    elif not confirm_total:
        if total < SESSION_MINUTES:
            problems.append(
                f"The phases add up to {total} minutes, {SESSION_MINUTES - total} short of the "
                "two hours. Adjust them or confirm the shorter agenda."
            )
        elif total > SESSION_MINUTES:
            problems.append(
                f"The phases add up to {total} minutes, {total - SESSION_MINUTES} over the "
                "two hours. Adjust them or confirm the longer agenda."
            )
    return problems


def validate_phases(phases: Iterable[Phase], *, confirm_total: bool = False) -> list[Phase]:
    """Return the phases tidied (names trimmed, blank card ids as None); raise AgendaError."""
    phases = list(phases)
    problems = agenda_problems(phases, confirm_total=confirm_total)
    if problems:
        raise AgendaError(problems[0])
    return [
        Phase(
            name=phase.name.strip(),
            minutes=phase.minutes,
            turn_seconds=phase.turn_seconds,
            opening_card=(phase.opening_card or "").strip() or None,
        )
        for phase in phases
    ]


def load_templates(directory: str | Path | None = None) -> dict[str, Template]:
    """Load every template in a folder (the bundled ones by default), keyed and sorted by id."""
    folder = Path(directory) if directory is not None else resource_path("templates")
    found: dict[str, tuple[Template, str]] = {}
    for path in sorted(folder.glob("*.json")):
        template = load_template(path)
        if template.id in found:
            raise AgendaError(
                f'{path.name}: the template id "{template.id}" is already used by '
                f"{found[template.id][1]}. Each template needs its own id."
            )
        found[template.id] = (template, path.name)
    return {template_id: found[template_id][0] for template_id in sorted(found)}


def load_template(path: str | Path) -> Template:
    """Read and validate one template file; raise AgendaError, prefixed with the file name."""
    path = Path(path)
    obj = read_json(path, missing="the agenda template", noun="a template", error=AgendaError)
    try:
        return parse_template(obj)
    except AgendaError as exc:
        raise AgendaError(f"{path.name}: {exc}") from None


def parse_template(obj: Any) -> Template:
    """Build a Template from decoded JSON; its phases must add up to exactly two hours."""
    if not isinstance(obj, dict):
        raise AgendaError("An agenda template must be a JSON object with a list of phases.")
    check_format(
        obj, name=FORMAT_NAME, version=FORMAT_VERSION, what="an agenda template", error=AgendaError
    )
    template_id = obj.get("id")
    if not (
        isinstance(template_id, str)
        and len(template_id) <= MAX_ID_LENGTH
        and _ID_PATTERN.fullmatch(template_id)
    ):
        raise AgendaError(
            'The template needs an "id": letters, digits, dots, hyphens or underscores, '
            f"up to {MAX_ID_LENGTH} characters."
        )
    title = obj.get("title")
    if not isinstance(title, str) or not title.strip():
        raise AgendaError("The template needs a title.")
    kind = obj.get("kind")
    if kind not in SESSION_KINDS:
        raise AgendaError(
            f"The template has an unknown kind {shown(kind)}; use "
            + ", ".join(f'"{k}"' for k in SESSION_KINDS)
            + "."
        )
    description = obj.get("description", "")
    if not isinstance(description, str):
        raise AgendaError('The template "description" must be text.')
    raw_phases = obj.get("phases")
    if not isinstance(raw_phases, list):
        raise AgendaError('The template needs a "phases" list.')
    phases = [_parse_phase(number, raw) for number, raw in enumerate(raw_phases, start=1)]
    return Template(
        id=template_id,
        title=title.strip(),
        kind=kind,
        description=" ".join(description.split()),
        phases=tuple(validate_phases(phases)),
    )


def _parse_phase(number: int, raw: Any) -> Phase:
    if not isinstance(raw, Mapping):
        raise AgendaError(f"Phase {number} is not a JSON object.")
    for field in ("minutes", "turn_seconds"):
        if field not in raw:
            raise AgendaError(f'Phase {number} needs "{field}".')
    name = raw.get("name")
    return Phase(
        name=name if isinstance(name, str) else "",
        minutes=raw["minutes"],
        turn_seconds=raw["turn_seconds"],
        opening_card=raw.get("opening_card"),
    )
