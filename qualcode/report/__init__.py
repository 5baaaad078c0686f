"""The full study report: sections of tables and charts, in Markdown, Word and HTML.

Public API::

    from qualcode.report import build_report, register_section
    output = build_report(project, coder="autocoder")   # reports/study-report.md/.docx

A section is a function ``(ReportContext) -> Section`` registered by name; see
:mod:`qualcode.report.sections`.
"""

from qualcode.report.build import ReportOutput, build_report
from qualcode.report.model import Chart, Quote, ReportContext, Section, Table, skipped
from qualcode.report.sections import SECTIONS, register_section, section_names

__all__ = [
    "SECTIONS",
    "Chart",
    "Quote",
    "ReportContext",
    "ReportOutput",
    "Section",
    "Table",
    "build_report",
    "register_section",
    "section_names",
    "skipped",
]
