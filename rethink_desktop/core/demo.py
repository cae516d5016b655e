"""The trainers' demo: a fictional professional network around a fictional family."""

from __future__ import annotations

from typing import Any

from rethink_desktop.core.agenda import Template, phase_fields

DEMO_PREFIX = "DEMO-"
DEMO_REFERENCE = f"{DEMO_PREFIX}001"  # the first; later runs take the next free number
DEMO_PURPOSE = "Demo: a network stuck on school attendance and home conditions"

# Fictional people; any likeness to real professionals is accidental.
DEMO_PARTICIPANTS: tuple[dict[str, str], ...] = (
    {"name": "Priya", "agency": "Education", "role": "Designated safeguarding lead"},
    {"name": "Tom", "agency": "Health", "role": "Health visitor"},
    {"name": "Ana", "agency": "Police", "role": "Safeguarding officer"},
    {"name": "Sam", "agency": "Children's social care", "role": "Social worker"},
    {"name": "Grace", "agency": "Early help", "role": "Family support worker"},
    {"name": "Dev", "agency": "Housing", "role": "Tenancy officer"},
    {"name": "Maya", "agency": "Health", "role": "School nurse"},
)


def demo_preparation(template: Template, reference: str = DEMO_REFERENCE) -> dict[str, Any]:
    """Keyword arguments for ``Session.prepare`` that set up the demo network."""
    return {
        "kind": template.kind,
        "reference": reference,
        "purpose": DEMO_PURPOSE,
        "venue": "Training room",
        "template_id": template.id,
        "participants": [dict(p) for p in DEMO_PARTICIPANTS],
        "phases": [phase_fields(ph) for ph in template.phases],
    }
