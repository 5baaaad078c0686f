"""Report sections about the material: the interviews (Table 1) and the methods note."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from qualcode.report.model import Section, Table, skipped
from qualcode.tally.wording import lower_first, plural

if TYPE_CHECKING:
    from qualcode.report.model import ReportContext

ATTRIBUTE_LIMIT = 12  # attributes with more distinct values are left out of Table 1


def corpus_section(ctx: ReportContext) -> Section:
    """Transcripts by role and site, and by attribute (like a study's Table 1)."""
    from qualcode.tally.crosstab import crosstab
    from qualcode.tally.formats import crosstab_grids
    from qualcode.transcripts.reading import corpus_summary

    summary = corpus_summary(ctx.project)
    if not summary.total:
        return skipped("Interviews", "the project has no transcripts yet (qualcode import)")
    section = Section("Interviews")
    section.add(_corpus_paragraph(ctx, summary))
    by_site = crosstab(ctx.project, "role", "site")
    _, header, rows = crosstab_grids(by_site)[0]
    header[0] = "Role"
    section.add(Table("Transcripts by stakeholder role and site", header, rows,
                      command=by_site.command, bold_last_row=True))
    attributes = attribute_table(ctx)
    if attributes is not None:
        section.add(attributes)
    return section


def _corpus_paragraph(ctx: ReportContext, summary) -> str:
    labels = ctx.project.codebook.roles
    parts = [
        plural(summary.role_total(role), lower_first(labels[role].label if role in labels else role))
        for role in summary.roles
    ]
    roles = ", ".join(parts[:-1]) + (f" and {parts[-1]}" if len(parts) > 1 else parts[0])
    return (
        f"The study has {summary.total} interview transcripts from {len(summary.sites)} sites: {roles}. "
        f"They hold {summary.respondent_turns:,} respondent turns (the coding unit) and "
        f"{summary.words:,} words (qualcode transcripts list)."
    )


def attribute_table(ctx: ReportContext) -> Table | None:
    """Frequency and percentage of each transcript attribute's values, one block per attribute."""
    from qualcode.tally.selection import Dimension, load_transcripts, natural_key

    with ctx.project.read() as conn:
        infos = load_transcripts(conn)
    names = sorted({key for t in infos for key in t.attributes})
    rows: list[list[str]] = []
    commands = []
    for name in names:
        dimension = Dimension("attr", name)
        values = [dimension.value(t) for t in infos]
        distinct = sorted(set(values), key=natural_key)
        if len(distinct) > ATTRIBUTE_LIMIT:
            continue
        rows.append([name.replace("_", " ").capitalize(), "", ""])
        for value in distinct:
            n = values.count(value)
            rows.append([f"    {value}", str(n), f"{100 * n / len(values):.0f}%"])
        commands.append(f"qualcode crosstab attr:{name} role")
    if not rows:
        return None
    return Table(
        "Transcripts by attribute", ["Attribute", "Frequency", "Percentage"], rows,
        command=commands, note=f"N = {len(infos)} transcripts.",
    )


def analysis_lines(aset) -> list[str]:
    """Whose codings count and how much of the corpus they cover (with a warning if partial)."""
    cov = aset.coverage()
    share = f" ({100 * cov.turns_coded / cov.respondent_turns:.0f} %)" if cov.respondent_turns else ""
    lines = [aset.statement() + " "
             + f"Coverage: {cov.transcripts_coded} of {cov.transcripts} transcripts have counted codings; "
             f"{cov.turns_coded} of {cov.respondent_turns} respondent turns carry at least one code{share}. "
             "qualcode keeps no 'done' marker, so coverage cannot say whether coding of a transcript is finished."]
    if cov.warning:
        lines.append(f"Warning: {cov.warning}")
    return lines


def methods_section(ctx: ReportContext) -> Section:
    """How the numbers were made: whose codings, which codebook, what a reference is."""
    codebook = ctx.project.codebook
    if ctx.analysis is None:
        who = "no coder (the project has no codings yet)"
    elif ctx.analysis.named:
        who = f"coder '{ctx.analysis.named}' on every transcript"
    else:
        who = "the analysis set (each transcript's primary coder, the consensus on reconciled transcripts)"
    section = Section("How these numbers were made")
    if ctx.analysis is not None:
        section.add(*analysis_lines(ctx.analysis))
    section.add(
        f"Tallies count the codings of {who}, made with the codebook {codebook.title or ''} "
        f"({ctx.project.codebook_path.name}, version {codebook.hash[:12]}). "
        f"Report generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "A reference is one distinct (coder, respondent turn, code): overlapping or repeated "
        "spans of one code in one turn count once. Percentages of references are shares of "
        "the parent code's total references in the group (\"cited N times\"); respondents "
        "are transcripts, and their percentages are of the transcripts in the group (for a "
        "code that applies to some roles only, the transcripts of those roles), coded or not. "
        "Codings of a parent code with no child code are reported, never added to the total.",
        "Every table is followed by the command that reproduces it; run it in the project "
        "folder (add --format csv, md, xlsx or json for other outputs, --chart FILE.png for "
        "a chart). docs/tally.md defines each count.",
    )
    return section
