"""Agreement on a project: two coders' codings -> per-code tables -> the statistics.

:func:`project_agreement` is the plain-Python twin of ``qualcode agreement``: it picks
the double-coded transcripts (a sample's, or those both coders coded), builds the units
(:mod:`qualcode.agreement.units`), sums each code's 2x2 table and hands the counts to
:func:`~qualcode.agreement.per_code.per_code_from_counts`, :func:`pooled_kappa` and
:func:`mean_kappa`. It returns a JSON-ready dict (the ``--json`` output).

A code's units are the units of the transcripts whose role the code applies to: a
prosecutor-only code is not counted as "neither" on every service-provider turn, which
would inflate agreement with units no coder could have coded.

The transcripts are read a chunk at a time (:func:`~qualcode.agreement.units.iter_coded`):
what is kept for the whole set is each transcript's id and role, the codes applied,
the per-block 2x2 counts and the coverage notes, never the texts or the codings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qualcode.agreement.labels import landis_koch
from qualcode.agreement.per_code import (
    PerCodeAgreement,
    mean_kappa,
    per_code_from_counts,
    pooled_kappa,
)
from qualcode.agreement.project_result import (
    AgreementResult,
    AgreementSummary,
    CodeAgreement,
    IntervalSettings,
    OverallEstimate,
    TranscriptAgreement,
)
from qualcode.agreement.sampling import load_sample
from qualcode.agreement.units import (
    CHARACTER_SCOPES,
    UNITS,
    BlockCounts,
    Coded,
    Material,
    block_counts,
    character_counts,
    concat_blocks,
    iter_coded,
    load_material,
    unit_matrices,
)
from qualcode.coding.blind import guard
from qualcode.errors import AgreementError
from qualcode.store import codings as coding_store
from qualcode.store.codings import coder_names

if TYPE_CHECKING:
    from qualcode.codebook import Codebook
    from qualcode.project import Project

CI_METHODS = ("asymptotic", "bootstrap")
RESAMPLING = ("transcripts", "segments")
BOOTSTRAP_SEED = 2026
POOLED_METHOD = "pooled kappa (de Vries et al. 2008): (mean po - mean pe) / (1 - mean pe) over the codes with units"
MEAN_METHOD = "unweighted mean of the defined per-code kappas"
WEIGHTED_METHOD = "mean of the defined per-code kappas weighted by prevalence (share of units coded, both coders)"


def check_coders(coders: Sequence[str]) -> tuple[str, str]:
    names = tuple(name.strip() for name in coders if name and name.strip())
    if len(names) != 2 or names[0] == names[1]:
        raise AgreementError(
            f"agreement compares two different coders (--coders A,B); received {', '.join(coders) or 'none'}")
    return names[0], names[1]


def double_coded_transcripts(project: Project, coders: tuple[str, str], sample: str | None = None) -> list[str]:
    """The sample's transcripts, or the transcripts both coders have coded."""
    with project.read() as conn:
        if sample is not None:
            return load_sample(conn, sample).transcript_ids
        known = coder_names(conn)
        missing = [coder for coder in coders if coder not in known]
        if missing:
            listed = ", ".join(known) or "none"
            raise AgreementError(f"no coder {', '.join(repr(m) for m in missing)}; coders: {listed}")
        coded = [coding_store.coded_transcript_ids(conn, coder) for coder in coders]
    both = sorted(coded[0] & coded[1])
    if not both:
        raise AgreementError(f"{coders[0]} and {coders[1]} have coded no transcript in common; "
                             "draw a sample (qualcode sample create) or pass --sample")
    return both


def agreement_codes(
    codebook: Codebook, coded: Coded | Material, *, prefix: str | None = None, rollup: bool = False
) -> tuple[str, ...]:
    """The codes to report: codable codes (every code with ``rollup``) that apply to a role of
    the double-coded transcripts, in codebook order, then applied codes the codebook lacks."""
    roles = {t.role for t in coded.transcripts}
    listed = [c.id for c in codebook.codes.values() if (c.codable or rollup) and c.roles & roles]
    unknown = sorted(coded.codes_used - set(codebook.codes))
    chosen = [code for code in (*listed, *unknown) if _matches(code, prefix)]
    if prefix and not chosen:
        raise AgreementError(f"no code matches --codes '{prefix}' among the codes of these transcripts' roles")
    return tuple(chosen)


def _matches(code: str, prefix: str | None) -> bool:
    return not prefix or code == prefix or code.startswith(prefix.rstrip(".") + ".")


def applicability(codebook: Codebook, coded: Coded | Material, codes: Sequence[str]) -> np.ndarray:
    """Boolean (transcripts, codes): may the code be applied to the transcript's role?
    Codes missing from the codebook count as applicable everywhere."""
    rows = []
    for transcript in coded.transcripts:
        rows.append([code not in codebook or transcript.role in codebook.codes[code].roles for code in codes])
    return np.array(rows, dtype=bool).reshape(len(coded.transcripts), len(codes))


def masked_cells(blocks: BlockCounts, applicable: np.ndarray) -> np.ndarray:
    """Shape (4, blocks, codes): both, only A, only B, neither, zero where the code does not apply."""
    mask = applicable[blocks.transcript]
    both, only_a, only_b = (np.where(mask, cell, 0) for cell in (blocks.both, blocks.only_a, blocks.only_b))
    neither = blocks.units[:, None] * mask - both - only_a - only_b
    return np.stack([both, only_a, only_b, neither])


def bootstrap_kappa(
    cells: np.ndarray, *, replicates: int, seed: int, confidence: float, chunk: int = 250
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentile CIs of each code's kappa, resampling blocks (transcripts or turns).

    ``cells`` is (4, blocks, codes) from :func:`masked_cells`. Each replicate draws as many
    blocks as there are, with replacement, and sums their tables; replicates where a
    code's kappa is undefined are left out of its interval. Returns (low, high, number of
    replicates with a defined kappa), each of shape (codes,).
    """
    generator = np.random.default_rng(seed)
    blocks, codes = cells.shape[1], cells.shape[2]
    as_float = cells.astype(float)  # float matmul runs on BLAS; counts stay exact below 2**53
    values = np.empty((replicates, codes))
    for first in range(0, replicates, chunk):
        size = min(chunk, replicates - first)
        weights = generator.multinomial(blocks, np.full(blocks, 1.0 / blocks), size=size)
        tables = np.rint(weights.astype(float)[None] @ as_float)
        result = per_code_from_counts(*(table.ravel() for table in tables))
        values[first : first + size] = result.kappa.reshape(size, codes)
    defined = np.isfinite(values)
    low, high = np.full(codes, np.nan), np.full(codes, np.nan)
    some = defined.any(axis=0)
    tail = (1.0 - confidence) / 2.0
    if some.any():
        low[some], high[some] = np.nanquantile(values[:, some], [tail, 1.0 - tail], axis=0)
    return low, high, defined.sum(axis=0)


MIN_UNITS = 10
"""Default minimum of units coded by either coder below which a code is flagged "too few units"."""


def _estimable(interval: list[float] | None, se) -> list[float] | None:
    """An interval only where it says something: none with no standard error or of zero width
    (a single shared turn gives kappa 1 with SE 0: "1.00 to 1.00" is not an interval)."""
    if interval is None or se is None or not np.isfinite(se) or se <= 0:
        return None
    low, high = interval
    return None if not (np.isfinite(low) and np.isfinite(high)) or round(high - low, 4) <= 0 else [low + 0.0, high + 0.0]


def _rows(per_code: PerCodeAgreement, codebook: Codebook, ci: dict[int, tuple] | None = None,
          min_units: int = MIN_UNITS) -> tuple[CodeAgreement, ...]:
    rows = []
    for index, code in enumerate(per_code.codes):
        stats = per_code.row(index)
        reason = stats["kappa_reason"]
        # The asymptotic (Wald) interval can cross kappa's bounds on small samples;
        # kappa cannot, so the reported interval is truncated to [-1, 1].
        interval = None if reason else _truncated(stats["kappa_ci_low"], stats["kappa_ci_high"])
        row = {
            "code": code, "name": codebook.codes[code].name if code in codebook else None,
            "units": int(per_code.counts.n[index]),
            **{key: stats[key] for key in ("both", "only_a", "only_b", "neither", "percent_agreement", "kappa")},
            "kappa_ci": interval, "kappa_se": stats["kappa_se"],
            **{key: stats[key] for key in ("pabak", "prevalence_index", "bias_index", "alpha", "ac1")},
            "label": landis_koch(stats["kappa"]), "defined": reason is None, "reason": reason,
        }
        if ci is not None and reason is None:
            low, high, used = ci[index]
            row["kappa_ci"] = None if used == 0 else [low, high]
            row["bootstrap_replicates_defined"] = used
        else:
            row["kappa_ci"] = _estimable(row["kappa_ci"], stats["kappa_se"])
        if row["kappa_ci"] is not None and round(row["kappa_ci"][1] - row["kappa_ci"][0], 4) <= 0:
            row["kappa_ci"] = None
        row["coded_units"] = int(row["both"] + row["only_a"] + row["only_b"])
        row["too_few_units"] = row["coded_units"] < min_units
        row["kappa_ci"] = tuple(row["kappa_ci"]) if row["kappa_ci"] is not None else None
        rows.append(CodeAgreement(**row))
    return tuple(rows)


def _truncated(low: float, high: float) -> list[float]:
    return [max(float(low), -1.0), min(float(high), 1.0)]


def _summary(per_code: PerCodeAgreement, min_kappa: float) -> AgreementSummary:
    pooled, mean, weighted = pooled_kappa(per_code), mean_kappa(per_code), mean_kappa(per_code, weighting="prevalence")
    defined = per_code.kappa_defined
    below = [code for code, value, ok in zip(per_code.codes, per_code.kappa, defined, strict=True)
             if ok and value < min_kappa]

    def describe(estimate, method: str) -> OverallEstimate:
        return OverallEstimate(estimate.value, method, estimate.codes_used, estimate.codes_excluded, estimate.reason)

    return AgreementSummary(describe(pooled, POOLED_METHOD), describe(mean, MEAN_METHOD),
                            describe(weighted, WEIGHTED_METHOD), min_kappa, int(defined.sum()), tuple(below))


def _per_code(cells: np.ndarray, codes: Sequence[str], confidence: float) -> PerCodeAgreement:
    both, only_a, only_b, neither = cells.sum(axis=1)
    return per_code_from_counts(both, only_a, only_b, neither, codes=codes, confidence=confidence)


def _check_options(unit: str, ci: str, resample: str, characters: str, replicates: int, confidence: float) -> None:
    choices = ((unit, UNITS, "--unit"), (ci, CI_METHODS, "--ci"), (resample, RESAMPLING, "--resample"),
               (characters, CHARACTER_SCOPES, "--characters"))
    for value, allowed, option in choices:
        if value not in allowed:
            raise AgreementError(f"{option} must be one of {', '.join(allowed)}; received '{value}'")
    if ci == "bootstrap" and not 100 <= replicates <= 100_000:
        raise AgreementError(f"--replicates must be between 100 and 100000; received {replicates}")
    if not 0.0 < confidence < 1.0:
        raise AgreementError(f"confidence must be between 0 and 1 (exclusive); received {confidence}")


def block_table(
    project: Project, coded: Coded, codes: Sequence[str], unit: str, *, level: str = "transcript",
    rollup: bool = False, characters: str = "respondent",
) -> BlockCounts:
    """Per block (transcript or respondent turn) and code: the 2x2 cells for ``unit``."""
    if unit == "character":
        return character_counts(coded, codes, scope=characters, level=level, rollup=rollup, codebook=project.codebook)
    matrices = unit_matrices(coded, codes, unit, rollup=rollup, codebook=project.codebook)
    return block_counts(matrices, level)


def project_agreement(
    project: Project,
    coders: Sequence[str],
    sample: str | None = None,
    unit: str = "segment",
    *,
    codes: str | None = None,
    rollup: bool = False,
    by_transcript: bool = False,
    ci: str = "asymptotic",
    replicates: int = 1000,
    seed: int = BOOTSTRAP_SEED,
    resample: str = "transcripts",
    min_kappa: float = 0.6,
    characters: str = "respondent",
    confidence: float = 0.95,
    min_units: int = MIN_UNITS,
) -> AgreementResult:
    """Per-code agreement of two coders on a project (``to_dict()``: the JSON of ``qualcode agreement``).

    Parameters
    ----------
    project : Project
    coders : (str, str)
        Coder A and coder B.
    sample : str, optional
        A sample's name: its transcripts are the material. Default: every transcript
        both coders coded.
    unit : {"segment", "sentence", "character"}
    codes : str, optional
        Only this code and its descendants (a code-id prefix).
    rollup : bool
        Count a coding of a code for its ancestors too (and report grouping codes).
    by_transcript : bool
        Add a ``by_transcript`` list with each transcript's table (asymptotic CIs).
    ci : {"asymptotic", "bootstrap"}
        Wald CI from the Fleiss-Cohen-Everitt SE, or percentile bootstrap.
    replicates, seed, resample
        Bootstrap replicates, seed and what is resampled (transcripts or segments;
        never characters or sentences, which are not independent within a turn).
    min_kappa : float
        Codes with a defined kappa below it are counted in ``below_min_kappa``.
    characters : {"respondent", "all"}
        Which characters are units when ``unit="character"``.
    confidence : float
    min_units : int
        Codes applied (by either coder) in fewer units are flagged ``too_few_units``.

    Returns
    -------
    AgreementResult
        Its ``to_dict()`` is ``{unit, coders, sample, transcripts, units, codes: [{code, name, units, both,
        only_a, only_b, neither, percent_agreement, kappa, kappa_ci, kappa_se, pabak,
        prevalence_index, bias_index, alpha, ac1, label, defined, reason}], undefined,
        pooled_kappa, mean_kappa, weighted_mean_kappa, overall, min_kappa,
        below_min_kappa, below_min_kappa_count, ci, warnings[, by_transcript]}``;
        undefined values are None with a ``reason``.
    """
    guard(project, coders=list(coders), what="agreement")
    pair = check_coders(coders)
    _check_options(unit, ci, resample, characters, replicates, confidence)
    transcript_ids = double_coded_transcripts(project, pair, sample)
    level = "segment" if ci == "bootstrap" and resample == "segments" else "transcript"
    with project.read() as conn:  # one snapshot for the whole walk
        material = load_material(conn, pair, transcript_ids)
        columns = agreement_codes(project.codebook, material, prefix=codes, rollup=rollup)
        blocks, coverage = streamed_blocks(project, conn, material, columns, unit, level=level, rollup=rollup,
                                           characters=characters)
    applicable = applicability(project.codebook, material, columns)
    cells = masked_cells(blocks, applicable)
    per_code = _per_code(cells, columns, confidence)
    interval = None
    if ci == "bootstrap":
        low, high, used = bootstrap_kappa(cells, replicates=replicates, seed=seed, confidence=confidence)
        interval = {i: (float(low[i]), float(high[i]), int(used[i])) for i in range(len(columns))}
    if min_units < 1:
        raise AgreementError(f"--min-units must be 1 or more; received {min_units}")
    rows = _rows(per_code, project.codebook, interval, min_units)
    settings = (IntervalSettings(ci, confidence, replicates, seed, resample) if ci == "bootstrap"
                else IntervalSettings(ci, confidence))
    return AgreementResult(
        unit=unit, coders=pair, sample=sample, transcripts=tuple(transcript_ids), units=int(blocks.units.sum()),
        codes_filter=codes, rollup=rollup, characters=characters if unit == "character" else None, ci=settings,
        codes=rows, summary=_summary(per_code, min_kappa), warnings=tuple(coverage_warnings(pair, coverage)),
        min_units=min_units,
        by_transcript=(_by_transcript(project, material, blocks, applicable, confidence, min_kappa)
                       if by_transcript else None),
    )


def streamed_blocks(
    project: Project, conn, material: Material, codes: Sequence[str], unit: str, *, level: str = "transcript",
    rollup: bool = False, characters: str = "respondent",
) -> tuple[BlockCounts, list[Coverage]]:
    """:func:`block_table` and :func:`coverage_counts` of the whole material, a chunk of
    transcripts at a time (only the counts are kept)."""
    parts: list[tuple[int, BlockCounts]] = []
    coverage: list[Coverage] = [([], 0), ([], 0)]
    for first, coded in iter_coded(conn, material):
        parts.append((first, block_table(project, coded, codes, unit, level=level, rollup=rollup,
                                         characters=characters)))
        coverage = [(untouched + more, interviewer + extra) for (untouched, interviewer), (more, extra)
                    in zip(coverage, coverage_counts(coded, unit, characters), strict=True)]
    return concat_blocks(parts, codes), coverage


def _by_transcript(project, coded: Material, blocks: BlockCounts, applicable: np.ndarray,
                   confidence: float, min_kappa: float) -> tuple[TranscriptAgreement, ...]:
    totals = blocks.by_transcript()
    cells = masked_cells(totals, applicable)
    out = []
    for position, t in enumerate(totals.transcript):
        keep = applicable[t]
        codes = [code for code, ok in zip(totals.codes, keep, strict=True) if ok]
        per_code = _per_code(cells[:, position : position + 1, keep], codes, confidence)
        transcript = coded.transcripts[t]
        out.append(TranscriptAgreement(transcript.id, transcript.role, int(totals.units[position]),
                                       _rows(per_code, project.codebook), _summary(per_code, min_kappa)))
    return tuple(out)


Coverage = tuple[list[str], int]
"""Per coder: the transcripts it has no codings in, and its codings left out on interviewer turns."""


def coverage_counts(coded: Coded, unit: str, characters: str) -> list[Coverage]:
    """Each coder's :data:`Coverage` on these transcripts."""
    counts = []
    for side in coded.codings:
        touched = set(side.transcript.tolist())
        untouched = [transcript.id for t, transcript in enumerate(coded.transcripts) if t not in touched]
        on_interviewer = 0
        if unit != "character" or characters == "respondent":
            on_interviewer = int(_interviewer_turns(coded)[side.transcript, side.ordinal].sum())
        counts.append((untouched, on_interviewer))
    return counts


def coverage_warnings(coders: Sequence[str], coverage: Sequence[Coverage]) -> list[str]:
    """Transcripts a coder has not coded at all, and codings that are not on any unit."""
    warnings = []
    for coder, (untouched, on_interviewer) in zip(coders, coverage, strict=True):
        warnings += [f"{coder} has no codings in '{transcript}': its units count as not coded by {coder}"
                     for transcript in untouched]
        if on_interviewer:
            warnings.append(f"{on_interviewer} of {coder}'s codings are on interviewer turns, "
                            "which are not units; they are left out")
    return warnings


def _interviewer_turns(coded: Coded) -> np.ndarray:
    """Boolean (transcripts, max ordinal + 1): is turn ``ordinal`` of transcript ``t`` the interviewer's?"""
    width = max((len(t.segments) for t in coded.transcripts), default=0) + 1
    table = np.zeros((len(coded.transcripts), width), dtype=bool)
    for t, transcript in enumerate(coded.transcripts):
        table[t, [s.ordinal for s in transcript.segments if s.is_interviewer]] = True
    return table
