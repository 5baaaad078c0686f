"""The project's lead (``[project] lead`` in qualcode.toml): who closes double-coding
samples and is never blind. ``qualcode lead show`` and ``qualcode lead set NAME``.

The lead must be a coder of the project (``qualcode coders add``), so a typo never names
a lead nobody is. Once a lead is named, only the lead (QUALCODE_CODER) may name another:
otherwise a blind coder could make themself lead and read the other coder's codings.
The setting is written through tomlkit (``project.update_config``), comments kept.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.coding.blind import lead_of, require_lead
from qualcode.coding.coders import check_coder_name, check_known_coder
from qualcode.project import update_config
from qualcode.store.codings import coder_names

if TYPE_CHECKING:
    from qualcode.project import Project


@dataclass(frozen=True)
class LeadInfo:
    """What ``qualcode lead show`` prints: the lead and whether it is a known coder."""

    lead: str | None
    known_coder: bool
    config: str

    def to_dict(self) -> dict:
        return {"lead": self.lead, "known_coder": self.known_coder, "config": self.config}


@dataclass(frozen=True)
class LeadSet:
    """What ``qualcode lead set`` did."""

    lead: str
    previous: str | None
    changed: bool

    def to_dict(self) -> dict:
        return {"lead": self.lead, "previous": self.previous, "changed": self.changed}


def show_lead(project: Project) -> LeadInfo:
    lead = lead_of(project)
    with project.read() as conn:
        known = lead is not None and lead in coder_names(conn)
    return LeadInfo(lead, known, str(project.config_path))


def set_lead(project: Project, name: str) -> LeadSet:
    """Name ``name`` (a known coder) the lead; changing a named lead is the lead's."""
    cleaned = check_coder_name(name)
    with project.read() as conn:
        check_known_coder(conn, cleaned)
    previous = lead_of(project)
    if previous == cleaned:
        return LeadSet(cleaned, previous, changed=False)
    if previous is not None:
        require_lead(project, f"names another lead (here {cleaned})")
    update_config(project.config_path, {"project": {"lead": cleaned}})
    project.config = tomllib.loads(project.config_path.read_text(encoding="utf-8"))
    return LeadSet(cleaned, previous, changed=True)
