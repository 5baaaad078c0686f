"""Tallies of coded references, crosstabs and co-occurrence, with charts.

Public API::

    from qualcode.tally import tally, crosstab, write_tally, tally_chart
    result = tally(project, "referral", by="role", coder="autocoder")
    result.groups[0].statement   # "Referral sources were cited 151 times in the ..."

Counting semantics: docs/tally.md.
"""

from qualcode.tally.charts import agreement_chart, crosstab_heatmap, tally_chart
from qualcode.tally.crosstab import CrosstabResult, crosstab, parse_axis
from qualcode.tally.formats import FORMATS, write_crosstab, write_tally
from qualcode.tally.frequencies import TallyGroup, TallyResult, TallyRow, tally
from qualcode.tally.selection import COUNT_TYPES, TallyError, resolve_coder

__all__ = [
    "COUNT_TYPES",
    "FORMATS",
    "CrosstabResult",
    "TallyError",
    "TallyGroup",
    "TallyResult",
    "TallyRow",
    "agreement_chart",
    "crosstab",
    "crosstab_heatmap",
    "parse_axis",
    "resolve_coder",
    "tally",
    "tally_chart",
    "write_crosstab",
    "write_tally",
]
