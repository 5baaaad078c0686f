"""Report sections built from tallies: code tallies by role, themes, crosstabs.

Which codes appear is read from ``[report]`` in qualcode.toml::

    [report]
    tallies = ["referral"]             # children tallied by role (references)
    themes = ["challenge"]             # children counted as references, respondents and sites
    crosstabs = ["challenge role"]     # "ROWS COLS" axis pairs (see qualcode crosstab)

Defaults: ``referral`` and ``challenge`` when the codebook has them, else every
top-level code with children as a tally; crosstabs default to each theme by role and
each tally by site. A code with grandchildren is counted with rollup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.report.model import Chart, Section, Table, skipped
from qualcode.tally import wording

if TYPE_CHECKING:
    from qualcode.report.model import ReportContext

NO_CODER = "the project has no codings yet (code the transcripts: qualcode tag / autocode)"


def configured_codes(ctx: ReportContext, key: str) -> list[str]:
    """Codes listed under ``[report] key``, or the defaults (module docstring)."""
    codebook = ctx.project.codebook
    listed = ctx.settings.get(key)
    if listed is not None:
        for code in listed:
            codebook.get(code)
        return list(listed)
    preferred = {"tallies": "referral", "themes": "challenge"}[key]
    if preferred in codebook and codebook.children(preferred):
        return [preferred]
    if key == "themes":
        return []
    return [c.id for c in codebook.top_level() if codebook.children(c.id)]


def needs_rollup(ctx: ReportContext, code: str) -> bool:
    codebook = ctx.project.codebook
    return any(codebook.children(child.id) for child in codebook.children(code))


def _axis_name(ctx: ReportContext, spec: str) -> str:
    """A crosstab axis as a reader names it: the code's name, or role/site/attribute."""
    codebook = ctx.project.codebook
    code = spec.removeprefix("code:")
    if code in codebook:
        return codebook.get(code).name
    return {"role": "stakeholder role", "site": "site"}.get(spec, spec.removeprefix("attr:").replace("_", " "))


def coverage_lines(result) -> list[str]:
    """The warning when a figure rests on less than its whole selection (else nothing)."""
    return [f"Warning: {result.warning}"] if result.warning else []


# -- tallies by role ------------------------------------------------------------------


def tally_sections(ctx: ReportContext) -> list[Section]:
    """One section per configured code: its children by role, a table and chart each."""
    codes = configured_codes(ctx, "tallies")
    if not ctx.counted:
        return [skipped("Tallies", NO_CODER)]
    if not codes:
        return [skipped("Tallies", "no code to tally: list codes under [report] tallies")]
    return [_tally_section(ctx, code) for code in codes]


def _tally_section(ctx: ReportContext, code: str) -> Section:
    from qualcode.tally.charts import tally_chart
    from qualcode.tally.formats import tally_header, tally_rows
    from qualcode.tally.frequencies import tally

    result = tally(ctx.project, code, by="role", coder=ctx.coder, rollup=needs_rollup(ctx, code))
    section = Section(f"{result.name} by stakeholder role")
    section.add(*coverage_lines(result))
    for group in result.groups:
        sub = Section(group.label)
        sub.add(f"{group.statement} {group.summary}")
        sub.add(Table(f"{result.name}: {group.label.lower()} interviews", tally_header(result),
                      tally_rows(result, group), command=result.command, bold_last_row=True))
        section.subsections.append(sub)
    section.add(*result.notes)
    # One chart per role (a figure each), so labels stay legible at page size.
    for group, sub in zip(result.groups, section.subsections, strict=True):
        if group.total and any(r.count for r in group.rows):
            path = tally_chart(result, ctx.chart_path(f"tally-{code}-{group.key}"), groups=[group.key],
                               title=f"{result.name}: {group.label.lower()} interviews")
            sub.add(Chart(f"{result.name}, {group.label.lower()} interviews: share of references "
                          f"(n = {group.total} references)", path,
                          command=result.command + f" --role {group.key} --chart {path.name}"))
    return section


# -- themes ---------------------------------------------------------------------------


def theme_sections(ctx: ReportContext) -> list[Section]:
    """Per theme code: each child's references, respondents (transcripts) and sites."""
    codes = configured_codes(ctx, "themes")
    if not codes:
        return [skipped("Themes", "no theme code: list codes under [report] themes")]
    if not ctx.counted:
        return [skipped("Themes", NO_CODER)]
    return [_theme_section(ctx, code) for code in codes]


def _theme_section(ctx: ReportContext, code: str) -> Section:
    from qualcode.tally.charts import tally_chart
    from qualcode.tally.frequencies import tally

    rollup = needs_rollup(ctx, code)
    roles = applicable_roles(ctx, code)
    counted = {kind: tally(ctx.project, code, count=kind, coder=ctx.coder, rollup=rollup, roles=roles)
               for kind in ("references", "transcripts", "sites")}
    references, respondents, sites = (counted[k].groups[0] if counted[k].groups else None
                                      for k in ("references", "transcripts", "sites"))
    section = Section(f"{counted['references'].name}: respondents and sites")
    if respondents is None or sites is None:  # both come from the same transcripts
        return skipped(section.title, "no transcripts")
    section.add(*coverage_lines(counted["references"]))
    section.add(f"{respondents.statement} {theme_sentence(counted['references'].noun, respondents, sites)}")
    section.add(Table(
        f"{counted['references'].name}: references, respondents and sites",
        [counted["references"].name, "References", "Respondents", "% of respondents", "Sites"],
        theme_rows(references, respondents, sites),
        command=[r.command for r in counted.values()],
        note=f"Respondents: of {_base(ctx, respondents.total, roles)}{_uncoded(counted['transcripts'])}. "
             f"{_narrower(ctx, code, respondents.total)}Sites: of {sites.total} sites. {counted['transcripts'].analysis}",
    ))
    if respondents.mentioning:
        path = tally_chart(counted["transcripts"], ctx.chart_path(f"themes-{code}-respondents"))
        section.add(Chart(f"{counted['references'].name}: share of respondents mentioning each "
                          f"(n = {_base(ctx, respondents.total, roles)}{_uncoded(counted['transcripts'])})",
                          path, command=counted["transcripts"].command + f" --chart {path.name}"))
    section.add(*counted["references"].notes)
    return section


def applicable_roles(ctx: ReportContext, code: str) -> list[str] | None:
    """The roles ``code`` applies to, when not every role: a transcript of another role
    can never carry it, so counting it in a share's base would understate the share."""
    codebook = ctx.project.codebook
    roles = [key for key in codebook.roles if key in codebook.get(code).roles]
    return None if len(roles) == len(codebook.roles) else roles


def _base(ctx: ReportContext, total: int, roles: list[str] | None) -> str:
    """'43 transcripts' or 'the 20 transcripts of service provider interviews (the roles ...)'."""
    if roles is None:
        return f"{total} transcripts"
    labels = wording.series([ctx.project.codebook.role_label(r).lower() for r in roles])
    return f"the {total} transcripts of {labels} interviews (the roles the code applies to)"


def _narrower(ctx: ReportContext, code: str, total: int) -> str:
    """'Length of prosecution applies to prosecutor interviews only; ...' for children whose
    roles are fewer than the theme's: their share is still of the theme's transcripts."""
    codebook = ctx.project.codebook
    parent = codebook.get(code).roles
    said = [f"{child.name} applies to {wording.series([codebook.role_label(r).lower() for r in codebook.roles if r in child.roles])} "
            "interviews only" for child in codebook.children(code) if child.roles < parent]
    return f"{'; '.join(said)}: its share is still of all {total}. " if said else ""


def _uncoded(result) -> str:
    """', of which only N have counted codings' when the shares rest on part of the selection:
    a transcript nobody has coded counts as not mentioning, so a writer must see how many
    transcripts the percentages really rest on."""
    coverage = result.coverage or {}
    total, coded = coverage.get("transcripts"), coverage.get("transcripts_coded")
    if isinstance(total, int) and isinstance(coded, int) and coded < total:
        return f", of which only {coded} have counted codings"
    return ""


def theme_rows(references, respondents, sites) -> list[list[str]]:
    """Rows ordered by respondents (then references), one per child."""
    by_code = {
        row.code: [row.name, str(_count(references, row.code)), str(row.count), _pct(row.percent),
                   f"{_count(sites, row.code)} of {sites.total}"]
        for row in respondents.rows
    }
    return list(by_code.values())


def theme_sentence(noun: str, respondents, sites, top: int = 3) -> str:
    """'The most frequently mentioned challenges were resources (40 of 63 interviews, at 8 of the 10 sites); ...'."""
    listed = [r for r in respondents.rows if r.count][:top]
    if not listed:
        return ""
    items = [
        f"{wording.lower_first(r.name)} ({r.count} of {respondents.total} interviews, "
        f"at {_count(sites, r.code)} of the {sites.total} sites)"
        for r in listed
    ]
    if len(items) == 1:
        return f"The most frequently mentioned of the {noun} was {items[0]}."
    return f"The {wording.number_word(len(items))} most frequently mentioned {noun} were {wording.series(items)}."


def _count(group, code: str) -> int:
    return next((r.count for r in group.rows if r.code == code), 0)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


# -- crosstabs ------------------------------------------------------------------------


def crosstab_specs(ctx: ReportContext) -> list[tuple[str, str]]:
    listed = ctx.settings.get("crosstabs")
    if listed is not None:
        return [tuple(spec.split()) for spec in listed]
    specs = [(code, "role") for code in configured_codes(ctx, "themes")]
    specs += [(code, "site") for code in configured_codes(ctx, "tallies")]
    return specs


def crosstab_section(ctx: ReportContext) -> Section:
    """Each configured crosstab: the counts table and a heatmap of column percentages."""
    from qualcode.tally.charts import crosstab_heatmap
    from qualcode.tally.crosstab import crosstab, parse_axis
    from qualcode.tally.formats import crosstab_grids

    if not ctx.counted:
        return skipped("Crosstabs", NO_CODER)
    specs = crosstab_specs(ctx)
    if not specs:
        return skipped("Crosstabs", "no crosstab configured: list \"ROWS COLS\" pairs under [report] crosstabs")
    section = Section("Crosstabs")
    for rows, columns in specs:
        codes = [parse_axis(a, ctx.project.codebook) for a in (rows, columns)]
        rollup = any(a.kind == "codes" and a.code is not None and needs_rollup(ctx, a.code) for a in codes)
        result = crosstab(ctx.project, rows, columns, coder=ctx.coder, rollup=rollup)
        title, header, body = crosstab_grids(result)[0]
        section.add(*coverage_lines(result))
        section.add(Table(f"{rows} x {columns}: {title.lower()}", header, body,
                          command=result.command, bold_last_row=True))
        if result.grand_total:
            names = " by ".join(_axis_name(ctx, a) for a in (rows, columns))
            path = crosstab_heatmap(result, ctx.chart_path(f"crosstab-{rows}-{columns}"), values="column",
                                    title=f"{names}: column percent of {result.measure}")
            section.add(Chart(f"{names}: column percentages (n = {result.grand_total} {result.measure} in all; "
                              "each column's n under its label)", path,
                              command=result.command + f" --chart {path.name} --values column"))
    return section
