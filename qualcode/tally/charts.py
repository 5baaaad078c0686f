"""Charts for tallies, crosstabs and agreement (PNG or SVG), drawn with matplotlib.

matplotlib is imported only inside these functions, and figures are drawn on an
explicit Agg canvas (``FigureCanvasAgg``) rather than through pyplot, so nothing
depends on -- or changes -- a global backend, and no window ever opens.

Defaults aim at readable report figures: the Okabe-Ito colour-blind-safe palette
for categories and cividis for heatmaps, long labels wrapped, counts and percents
written on the bars, and a tight bounding box so no label is cut.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.tally.selection import TallyError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from qualcode.tally.crosstab import CrosstabResult
    from qualcode.tally.frequencies import TallyResult

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
CHART_SUFFIXES = (".png", ".svg")
LABEL_WIDTH = 28
DPI = 150


def check_chart_path(path: Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in CHART_SUFFIXES:
        raise TallyError(f"Charts are written as PNG or SVG; '{path.name}' should end in .png or .svg")
    return path


def wrap(label: str, width: int = LABEL_WIDTH) -> str:
    return textwrap.fill(str(label), width=width, break_long_words=False) or str(label)


def new_figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save(figure: Figure, path: Path) -> Path:
    path = check_chart_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    import matplotlib

    # A fixed hash salt and no date make SVG output byte-stable between runs.
    metadata = {"Date": None} if path.suffix.lower() == ".svg" else {}
    with matplotlib.rc_context({"svg.hashsalt": "qualcode"}):
        figure.savefig(path, dpi=DPI, bbox_inches="tight", metadata=metadata)
    return path


CHART_WIDTH = 6.0  # inches: a report page's width, so 8 pt labels print at 8 pt


def tally_chart(result: TallyResult, path: Path, *, title: str | None = None, groups: list[str] | None = None) -> Path:
    """Horizontal bars of a tally: one panel per group (or only ``groups``, by key), percent on
    the axis, labels on bars."""
    # Children never counted are left off the bars (the table lists them).
    panels = [(g, [r for r in g.rows if r.count]) for g in result.groups if groups is None or g.key in groups]
    panels = [(g, rows) for g, rows in panels if rows and g.total]
    if not panels:
        raise TallyError(f"Nothing to chart: no {result.count_type} of {result.code}'s children in the selection")
    heights = [0.9 + 0.34 * len(rows) for _, rows in panels]
    figure = new_figure(CHART_WIDTH, sum(heights) + 0.6)
    axes = figure.subplots(len(panels), 1, squeeze=False, height_ratios=heights)[:, 0]
    limit = max(r.percent or 0 for _, rows in panels for r in rows)
    for index, (axis, (group, rows)) in enumerate(zip(axes, panels, strict=True)):
        _bar_panel(axis, result, group, rows, OKABE_ITO[index % len(OKABE_ITO)], limit)
    figure.suptitle(wrap(title or _tally_title(result), 70), fontsize=11)
    return save(figure, path)


def _tally_title(result: TallyResult) -> str:
    what = {"references": "share of references", "transcripts": "share of transcripts",
            "sites": "share of sites"}[result.count_type]
    who = result.coder if result.coder == "analysis set" else f"coder {result.coder}"
    return f"{result.name}: {what} ({who})"


def _bar_panel(axis, result: TallyResult, group, rows, colour: str, limit: float) -> None:
    labels = [wrap(r.name) for r in rows]
    values = [r.percent or 0.0 for r in rows]
    positions = range(len(values))
    axis.barh(positions, values, color=colour, height=0.7)
    axis.set_yticks(list(positions), labels=labels, fontsize=8)
    axis.invert_yaxis()
    axis.set_xlim(0, max(limit * 1.3, 5))
    axis.set_xticks([tick for tick in axis.get_xticks() if 0 <= tick <= min(100, limit * 1.3)])
    for position, row in zip(positions, rows, strict=True):
        axis.text((row.percent or 0) + limit * 0.01, position, f" {row.count} ({row.percent or 0:.1f}%)",
                  va="center", fontsize=8)
    base = {"references": "references", "transcripts": "transcripts", "sites": "sites"}[result.count_type]
    axis.set_title(f"{group.label} (n = {group.total} {base})", fontsize=9, loc="left")
    axis.set_xlabel("percent", fontsize=8)
    axis.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        axis.spines[side].set_visible(False)


def crosstab_heatmap(result: CrosstabResult, path: Path, *, values: str = "count", title: str | None = None) -> Path:
    """A heatmap of a crosstab's counts (or ``row``/``column`` percentages), annotated."""
    import numpy as np

    if not result.rows or not result.columns:
        raise TallyError("Nothing to chart: the crosstab has no rows or no columns")
    matrix = _heat_values(result, values)
    # Sized to print at 1:1 on a 6" text width where possible: with many columns the
    # colour bar goes (every cell carries its value) and columns narrow to 0.45".
    many = len(result.columns) > 6
    figure = new_figure(min(2.2 + (0.45 if many else 0.75) * len(result.columns) + (0 if many else 1.2), 9.0),
                        1.6 + 0.42 * len(result.rows))
    axis = figure.subplots()
    image = axis.imshow(matrix, cmap="cividis", aspect="auto", vmin=0)
    # Each column's percentage base under its label, so a reader sees what 50 % is of.
    bases = result.column_bases if values == "column" else result.column_totals
    axis.set_xticks(range(len(result.columns)),
                    labels=[f"{wrap(c.label, 16)}\n(n = {n})" for c, n in zip(result.columns, bases, strict=True)],
                    rotation=45, ha="right", rotation_mode="anchor", fontsize=8)
    axis.set_yticks(range(len(result.rows)), labels=[wrap(r.label) for r in result.rows], fontsize=8)
    threshold = np.nanmax(matrix) / 2 if np.nanmax(matrix) > 0 else 1
    for (i, j), value in np.ndenumerate(matrix):
        text = f"{result.counts[i][j]}" if values == "count" else f"{value:.0f}%"
        axis.text(j, i, text, ha="center", va="center", fontsize=8,
                  color="black" if value > threshold else "white")
    legend = {"count": result.measure, "row": "row percent", "column": "column percent"}[values]
    if not many:
        figure.colorbar(image, ax=axis, shrink=0.8).set_label(legend, fontsize=8)
    axis.set_title(wrap(title or f"{result.row_spec} x {result.column_spec}: {legend}", 70), fontsize=10)
    return save(figure, path)


def _heat_values(result: CrosstabResult, values: str):
    import numpy as np

    if values not in ("count", "row", "column"):
        raise TallyError(f"Heatmap values are count, row or column; got '{values}'")
    shape = (len(result.rows), len(result.columns))
    if values == "count":
        return np.asarray(result.counts, dtype=float).reshape(shape)
    pick = result.row_percent if values == "row" else result.column_percent
    return np.array([[pick(i, j) or 0.0 for j in range(shape[1])] for i in range(shape[0])], dtype=float)


def agreement_chart(
    rows: list[dict[str, Any]], path: Path, *, title: str = "Intercoder agreement by code", threshold: float = 0.6
) -> Path:
    """Kappa per code with its confidence interval (a forest plot).

    ``rows`` are ``{code, kappa, ci_low, ci_high}`` dicts (``name`` optional); a row
    whose kappa is None is drawn as "undefined" rather than as a value.
    """
    if not rows:
        raise TallyError("Nothing to chart: no agreement rows")
    for row in rows:
        missing = [k for k in ("code", "kappa", "ci_low", "ci_high") if k not in row]
        if missing:
            raise TallyError(f"Agreement row {row!r} lacks {', '.join(missing)}")
    figure = new_figure(CHART_WIDTH, 1.2 + 0.3 * len(rows))
    axis = figure.subplots()
    for position, row in enumerate(rows):
        _agreement_point(axis, position, row, threshold)
    axis.set_yticks(range(len(rows)), labels=[wrap(r.get("name") or r["code"], 36) for r in rows], fontsize=8)
    axis.invert_yaxis()
    axis.set_xlim(-0.2, 1.05)
    for band in (0.4, 0.6, 0.8):
        axis.axvline(band, color="#999999", linestyle=":", linewidth=0.8)
    axis.axvline(threshold, color=OKABE_ITO[5], linestyle="--", linewidth=0.9)
    axis.set_xlabel(f"Cohen's kappa with confidence interval (dashed: {threshold:g})", fontsize=8)
    axis.set_title(wrap(title, 70), fontsize=10)
    axis.tick_params(axis="x", labelsize=8)
    return save(figure, path)


def _agreement_point(axis, position: int, row: dict[str, Any], threshold: float) -> None:
    kappa = row["kappa"]
    if kappa is None:
        axis.text(0.0, position, "undefined", va="center", fontsize=8, color="#555555")
        return
    colour = OKABE_ITO[0] if kappa >= threshold else OKABE_ITO[5]
    low, high = row["ci_low"], row["ci_high"]
    if low is not None and high is not None:
        axis.hlines(position, max(low, -0.2), min(high, 1.05), color=colour, linewidth=1.6)
    axis.plot([kappa], [position], "o", color=colour, markersize=5)
    axis.text(1.01, position, f"{kappa:.2f}", va="center", ha="left", fontsize=8,
              transform=axis.get_yaxis_transform())
