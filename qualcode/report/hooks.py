"""Report sections fed by other parts of qualcode: agreement and quote sets.

Both are registered in :data:`qualcode.report.sections.SECTIONS` and can be replaced
with one ``register_section`` line. They call the feature's own project-level
function and only lay out what it returns; when the input is absent (no double-coding
sample, no quote sets) the section is skipped with a note saying what to run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.report.model import Chart, Quote, Section, Table, skipped

if TYPE_CHECKING:
    from qualcode.agreement.project_result import AgreementResult, AgreementSummary, CodeAgreement
    from qualcode.report.model import ReportContext

AGREEMENT_TITLE = "Double-coded sample and intercoder agreement"
# What quote_sets_section asks build_quote_set for, as command-line options.
QUOTE_OPTIONS = "--limit 3 --per-transcript 1 --min-words 12 --max-words 80"


# -- agreement ------------------------------------------------------------------------


def agreement_section(ctx: ReportContext) -> Section:
    """Each two-coder sample: its transcripts by role, per-code kappa table and chart."""
    # Imported here, not at the top: importing qualcode.report must not load the store
    # (SQLAlchemy). Never guarded by ``except ImportError``: agreement ships with qualcode,
    # so an import error is a bug to surface, not a section to skip quietly.
    from qualcode.agreement.project import project_agreement
    from qualcode.agreement.sampling import get_sample, sample_names

    with ctx.project.read() as conn:
        names = sample_names(conn)
    samples = [get_sample(ctx.project, name) for name in names]
    pairs = [s for s in samples if len(s.coders) == 2]
    if not pairs:
        return skipped(AGREEMENT_TITLE, "the project has no two-coder double-coding sample "
                                        "(qualcode sample create NAME --coders A,B)")
    section = Section(AGREEMENT_TITLE)
    for sample in pairs:
        result = project_agreement(ctx.project, sample.coders, sample=sample.name)
        section.subsections.append(agreement_from_result(ctx, sample, result))
    return section


def agreement_from_result(ctx: ReportContext, sample, agreement: AgreementResult) -> Section:
    """Lay out one ``project_agreement`` result (its attributes; the figures of ``qualcode agreement``)."""
    a, b = agreement.coders
    command = f"qualcode agreement --coders {a},{b} --sample {sample.name}"
    sub = Section(f"Sample {sample.name}: Coder A and Coder B")
    sub.add(methods_paragraph(sample, agreement))
    sub.add(_sample_table(ctx, sample))
    rows = [r for r in agreement.codes if r.both + r.only_a + r.only_b]
    sub.add(Table(
        f"Agreement by code ({agreement.unit} units)",
        ["Code", "N", "Coded", "Both", "Only A", "Only B", "% agree", "Kappa", "95% CI", "Strength"],
        [_agreement_row(r) for r in rows], command=command, numeric_from=1,
        note=("N: units where the code applies (role-limited codes count only those roles' turns). Coded: units "
              f"either coder applied it to; * fewer than {agreement.min_units} (too few units for a stable "
              "kappa). n.e.: interval not estimable (no variation between units). Strength: the Landis-Koch band of kappa. "
              "Codes neither coder applied are left out."),
    ))
    chart_rows = [chart_row(r) for r in rows if r.defined]
    parts = [chart_rows[i:i + CODES_PER_CHART] for i in range(0, len(chart_rows), CODES_PER_CHART)]
    for number, part in enumerate(parts, start=1):
        from qualcode.tally.charts import agreement_chart

        which = f", part {number} of {len(parts)}" if len(parts) > 1 else ""
        path = agreement_chart(part, ctx.chart_path(f"agreement-{sample.name}-{number}"),
                               threshold=agreement.summary.min_kappa,
                               title=f"Cohen's kappa by code{which} ({len(part)} codes)")
        sub.add(Chart(f"Cohen's kappa by code, Coder A and Coder B{which} (n = {len(part)} of {len(chart_rows)} "
                      "codes; lines: confidence intervals where estimable)", path, command=command))
    return sub


CODES_PER_CHART = 24  # a forest plot of 24 codes fills a page at 8 pt labels


def chart_row(row: CodeAgreement) -> dict[str, Any]:
    """``{code, name, kappa, ci_low, ci_high}`` from an agreement row (the chart's input)."""
    low, high = row.kappa_ci or (None, None)
    return {"code": row.code, "name": row.name or row.code, "kappa": row.kappa, "ci_low": low, "ci_high": high}


def overall_sentence(summary: AgreementSummary) -> str:
    pooled, mean = summary.pooled.value, summary.mean.value
    parts = []
    if pooled is not None:
        parts.append(f"pooled kappa {pooled:.2f}")
    if mean is not None:
        parts.append(f"mean kappa {mean:.2f} over {summary.codes_defined} codes")
    return ("Overall: " + ", ".join(parts) + ".") if parts else "Overall kappa is undefined."


def _sample_table(ctx: ReportContext, sample) -> Table:
    from collections import Counter

    from qualcode.tally.selection import load_transcripts

    with ctx.project.read() as conn:
        roles = {t.id: t.role for t in load_transcripts(conn)}
    counts = Counter(roles.get(t, "?") for t in sample.transcript_ids)
    labels = ctx.project.codebook.roles
    rows = [[labels[r].label if r in labels else r, str(n)] for r, n in sorted(counts.items())]
    rows.append(["Total", str(sum(counts.values()))])
    return Table(f"Double-coded transcripts by role (sample {sample.name})", ["Role", "Transcripts"], rows,
                 command=f"qualcode sample show {sample.name}", bold_last_row=True)


def _agreement_row(row: CodeAgreement) -> list[str]:
    def number(value, digits=2) -> str:
        return "" if value is None else f"{value:.{digits}f}"

    interval = f"{row.kappa_ci[0]:.2f} to {row.kappa_ci[1]:.2f}" if row.kappa_ci else "n.e."
    agreement = row.percent_agreement  # a proportion in the agreement result
    coded = str(row.coded_units) + ("*" if row.too_few_units else "")
    return [row.name or row.code, str(row.units), coded, str(row.both), str(row.only_a), str(row.only_b),
            number(None if agreement is None else 100 * agreement, 1), number(row.kappa), interval, row.label or ""]


def methods_paragraph(sample, agreement: AgreementResult) -> str:
    """A paragraph a writer can paste: sample, units, coders (as roles), statistics, threshold, resolution."""
    unit = {"segment": "respondent turn", "sentence": "sentence of a respondent turn"}.get(agreement.unit, "character")
    strata = f", stratified by {', '.join(sample.stratify)} (proportional allocation, largest remainder)" \
        if sample.stratify else ""
    n = len(agreement.transcripts)
    ci, summary = agreement.ci, agreement.summary
    method = "asymptotic Wald intervals (Fleiss-Cohen-Everitt standard error)" if ci.method != "bootstrap" \
        else f"percentile bootstrap intervals ({ci.replicates} replicates over {ci.resample})"
    below, few = summary.below_min_kappa, agreement.too_few_units
    return (
        f"Reliability was assessed on a random sample of {n} of {sample.population or n} transcripts "
        f"({100 * n / (sample.population or n):.0f} %; target fraction {sample.fraction:g}{strata}; seed "
        f"{sample.seed}), coded independently by two coders (Coder A and Coder B). The unit of analysis was the "
        f"{unit} ({agreement.units} units); each code was judged present or absent in each unit. "
        f"Agreement per code was measured with Cohen's kappa with {int(100 * ci.confidence)} % "
        f"{method}; {overall_sentence(summary)[:-1].replace('Overall: ', 'overall, ')}. "
        f"{len(below)} of {summary.codes_defined} codes fell below the threshold of kappa "
        f"{summary.min_kappa:g}" + (f" ({', '.join(below)})" if below else "") + "; "
        f"{len(few)} were applied in fewer than {agreement.min_units} units, too few for a stable estimate. "
        "Disagreements are resolved in a consensus reconciliation (qualcode reconcile); on each reconciled "
        "sample transcript the consensus codings replace the two coders' in the analysis set."
    )


# -- quotes ---------------------------------------------------------------------------


def quotes_section(ctx: ReportContext) -> Section:
    """The quote-set files in reports/ and a few representative quotes per theme."""
    # Here for start-up, as in agreement_section; never guarded.
    from qualcode.quotes.report import quote_sets_section
    from qualcode.quotes.writers import sections as quote_sections

    if not ctx.counted:
        return skipped("Quotes", "the project has no codings yet")
    codes = tuple(ctx.settings.get("quote_codes", ()))
    built = quote_sets_section(ctx.project, coder=ctx.coder, codes=codes)
    section = Section("Quotes")
    if built.files:
        section.add("Full quote sets by theme: " + "; ".join(f"{path.name}" for path in built.files) + ".")
    else:
        section.add("No quote-set files in reports/ yet (write them with qualcode quotes CODE -o reports/FILE.docx).")
    for theme in quote_sections(built.quote_set, "code"):
        sub = Section(theme.title)
        for quote in theme.quotes + [q for child in theme.children for q in child.quotes]:
            sub.add(Quote(quote.text, quote.attribution))
        if sub.blocks:
            section.subsections.append(sub)
    command = " ".join(["qualcode quotes", *codes, *(["--coder", ctx.coder] if ctx.coder else []), QUOTE_OPTIONS])
    section.add(f"Quotes below were selected with: {command}")
    return section
