"""Exchange with other tools: REFI-QDA projects, coder bundles, codings spreadsheets.

The public API is what the commands use, named in ``__all__``; each name is imported
from its module on first use (PEP 562), so importing this package loads nothing heavy.
"""

from __future__ import annotations

from importlib import import_module

_HOMES = {
    "ImportOptions": "import_report", "ImportReport": "import_report", "import_project": "qdpx_import",
    "export_qdpx": "qdpx_export",
    "export_coder_bundle": "bundles", "read_bundle": "bundles",
    "MergeReport": "merge", "merge_bundle": "merge",
    "round_trip": "roundtrip",
    "export_codings": "spreadsheets", "import_codings": "spreadsheets", "read_rows": "spreadsheets",
    "check_model": "offsets",
}
__all__ = [
    "ImportOptions",
    "ImportReport",
    "MergeReport",
    "check_model",
    "export_coder_bundle",
    "export_codings",
    "export_qdpx",
    "import_codings",
    "import_project",
    "merge_bundle",
    "read_bundle",
    "read_rows",
    "round_trip",
]


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
