"""One error hierarchy for qualcode.

Every error a user can cause is a :class:`QualcodeError`. The CLI prints it as one
line (``Error: <location>: <message>``) and exits with code 1, never a traceback.
Subclasses carry where the problem is (file, line, column, row, code) so the
message can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class QualcodeError(Exception):
    """Base class of every error qualcode reports to a user."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        row: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.row = row
        self.code = code

    @property
    def location(self) -> str:
        """``file:line:column`` (or ``file: row N``), whatever parts are known."""
        parts = []
        if self.file:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.row is not None:
            parts.append(f"row {self.row}")
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.location
        return f"{loc}: {self.message}" if loc else self.message


def shown(value: object, limit: int = 60) -> str:
    """A value from a file, fit for a one-line message: cut to ``limit`` characters,
    control characters (line breaks, NUL) escaped."""
    text = str(value)
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ProjectError(QualcodeError):
    """No project found, bad qualcode.toml, project already exists."""


class StoreError(QualcodeError):
    """The database cannot be opened or migrated."""


class TranscriptImportError(QualcodeError):
    """A transcript file cannot be read or parsed."""


class TranscriptError(QualcodeError):
    """A correction to a stored transcript that cannot be made (set, remove)."""


class UnknownRoleError(QualcodeError):
    """A role key or alias that the project does not declare."""


class NotFoundError(QualcodeError):
    """A transcript, segment, code, coder or sample that does not exist."""


class CodebookError(QualcodeError):
    """A codebook problem: syntax, unknown keys, bad references."""


@dataclass
class Problem:
    """One problem found while validating a file (codebook, CSV, ...)."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file or ("line" if self.line is not None else "")
        if self.line is not None:
            where += f" {self.line}" if not self.file else f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ValidationFailed(QualcodeError):
    """Several problems found in one pass; ``str()`` gives the first, ``problems`` all."""

    problems: list[Problem] = field(default_factory=list)
    file_name: str | None = None

    def __post_init__(self) -> None:
        count = len(self.problems)
        first = str(self.problems[0]) if self.problems else "invalid"
        more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
        QualcodeError.__init__(self, first + more)

    def __str__(self) -> str:
        return self.message


class CodingError(QualcodeError):
    """A coding that cannot be made: code not for this role, bad span, nothing to undo."""


class AgreementError(QualcodeError):
    """Agreement input that cannot be computed (bad table, unknown coder)."""


class InteropError(QualcodeError):
    """A REFI-QDA project, codebook or coder bundle that cannot be read or written."""


class ExportError(QualcodeError):
    """An export refused (unmasked identifiers) or that cannot be written."""
