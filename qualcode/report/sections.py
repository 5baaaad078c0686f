"""The report's sections: an ordered registry of section functions.

A section function takes a :class:`~qualcode.report.model.ReportContext` and returns
a :class:`~qualcode.report.model.Section` (or a list of them). When its input is
absent it returns ``skipped(title, reason)`` and the report says so. Entries are
``"module:function"`` strings, imported only when the report is built, so plugging in
a section is one line anywhere before the build::

    register_section("agreement", "qualcode.agreement.report:agreement_section")

A registered name replaces the entry of the same name in place (keeping its
position); a new name goes before ``before`` / after ``after`` or at the end.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError
from qualcode.report.model import Section, skipped

if TYPE_CHECKING:
    from qualcode.report.model import ReportContext

SectionFunction = Callable[["ReportContext"], "Section | list[Section]"]

SECTIONS: list[tuple[str, str | SectionFunction]] = [
    ("corpus", "qualcode.report.corpus:corpus_section"),
    ("agreement", "qualcode.report.hooks:agreement_section"),
    ("tallies", "qualcode.report.tallies:tally_sections"),
    ("themes", "qualcode.report.tallies:theme_sections"),
    ("crosstabs", "qualcode.report.tallies:crosstab_section"),
    ("quotes", "qualcode.report.hooks:quotes_section"),
    ("methods", "qualcode.report.corpus:methods_section"),
]


def register_section(
    name: str, target: str | SectionFunction, *, before: str | None = None, after: str | None = None
) -> None:
    """Add or replace a section (``target`` is ``"module:function"`` or a callable)."""
    names = [n for n, _ in SECTIONS]
    if name in names:
        SECTIONS[names.index(name)] = (name, target)
        return
    anchor = before or after
    if anchor is None:
        SECTIONS.append((name, target))
        return
    if anchor not in names:
        raise QualcodeError(f"No report section '{anchor}'; sections: {', '.join(names)}")
    SECTIONS.insert(names.index(anchor) + (1 if after else 0), (name, target))


def section_names() -> list[str]:
    return [name for name, _ in SECTIONS]


def check_section_names(names: list[str] | None) -> set[str] | None:
    """The wanted section names (None: all); unknown names are an error listing the known."""
    if not names:
        return None
    unknown = sorted(set(names) - set(section_names()))
    if unknown:
        raise QualcodeError(f"Unknown report section {', '.join(unknown)}; sections: {', '.join(section_names())}")
    return set(names)


def resolve(target: str | SectionFunction) -> SectionFunction:
    if callable(target):
        return target
    module_name, _, function = target.partition(":")
    return getattr(importlib.import_module(module_name), function)


def run_sections(context: ReportContext, names: list[str] | None = None, progress=None) -> list[Section]:
    """Build every registered section (or only ``names``), in registry order.

    A section that fails with a user-facing error (QualcodeError) becomes a skipped
    section carrying the message, so one missing input never hides the others.
    ``progress(done, total)`` is called before the first section and after each.
    """
    wanted = check_section_names(names)
    built: list[Section] = []
    chosen = [(name, target) for name, target in SECTIONS if wanted is None or name in wanted]
    for done, (name, target) in enumerate(chosen):
        if progress is not None:
            progress(done, len(chosen))
        try:
            produced = resolve(target)(context)
        except QualcodeError as error:
            produced = skipped(name.capitalize(), f"could not be built: {error}")
        for section in produced if isinstance(produced, list) else [produced]:
            section.name = section.name or name
            built.append(section)
    if progress is not None:
        progress(len(chosen), len(chosen))
    return built
