"""qualcode: qualitative interview coding in the terminal.

The public Python API; every CLI command has a plain-function twin here or in the
feature packages (``qualcode.transcripts``, ``qualcode.codebook``, ``qualcode.coding``,
``qualcode.agreement``, ``qualcode.tally``, ``qualcode.quotes``, ``qualcode.interop``).
"""

from qualcode.errors import QualcodeError

__version__ = "0.1.0"

__all__ = ["Project", "QualcodeError", "__version__"]


def __getattr__(name: str):
    # Lazy, so that `qualcode --help` does not pay for SQLAlchemy.
    if name == "Project":
        from qualcode.project import Project

        return Project
    raise AttributeError(f"module 'qualcode' has no attribute {name!r}")
