"""Tables that fit the terminal without dropping a number.

rich squeezes a table that is wider than the terminal by cutting cells to "…", which
silently loses numbers. :func:`show_table` prints the table as it is when it fits, and
otherwise switches to a block layout: one block per row, headed by the row's first
cell, with every other cell as ``header value`` pieces wrapped to the width (a piece is
never split). Output that is not a terminal (a pipe, a file) gets the whole table at
its natural width unless COLUMNS asks for a width.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from qualcode.cli.common import LazyConsole

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

SEPARATOR = " · "


def show_table(out: Console | LazyConsole, table: Table) -> None:
    """Print ``table`` on ``out``: as a table when it fits, else as blocks (nothing dropped)."""
    real: Console = out.real() if isinstance(out, LazyConsole) else out
    needed = natural_width(real, table)
    width = available_width(real)
    if width is not None and needed > width:
        print_blocks(real, table, width)
    elif needed > real.width:  # a pipe or a file: the whole table, however wide
        from rich.console import Console

        Console(file=real.file, width=needed, highlight=False, color_system=None).print(table)
    else:
        real.print(table)


def available_width(out: Console) -> int | None:
    """The width to fit: the terminal's, or COLUMNS; None when output goes to a pipe or file."""
    if out.is_terminal or os.environ.get("COLUMNS", "").isdigit():
        return out.width
    return None


def natural_width(out: Console, table: Table) -> int:
    """Columns the table needs with no cell wrapped or cut."""
    from rich.measure import Measurement

    return Measurement.get(out, out.options.update(width=100_000), table).maximum


def cells(out: Console, table: Table) -> tuple[list[str], list[list[str]]]:
    """The table's headers and rows as plain text."""
    def plain(value) -> str:
        return out.render_str(value).plain if isinstance(value, str) else getattr(value, "plain", str(value))

    headers = [" ".join(plain(column.header).split()) for column in table.columns]
    columns = [[plain(cell) for cell in column.cells] for column in table.columns]
    return headers, [list(row) for row in zip(*columns, strict=False)]


def print_blocks(out: Console, table: Table, width: int) -> None:
    """One block per row: the first cell, then ``header value`` pieces packed to ``width``."""
    from rich.text import Text

    headers, rows = cells(out, table)
    if table.title:
        out.print(table.title if not isinstance(table.title, str) else Text(table.title), style="bold")
    for row in rows:
        heading = f"{headers[0]} {row[0]}".strip() if not row[0] else row[0]
        out.print(Text(heading, style="bold"), soft_wrap=True)
        pieces = [f"{header} {value}".strip() for header, value in zip(headers[1:], row[1:], strict=True) if value.strip()]
        for line in pack(pieces, width - 2):
            out.print(Text("  " + line), soft_wrap=False, overflow="fold")
    if table.caption:
        out.print(table.caption if not isinstance(table.caption, str) else Text(table.caption), style="dim")


def pack(pieces: list[str], width: int) -> list[str]:
    """Greedy lines of pieces joined by SEPARATOR, each at most ``width`` unless one piece is longer."""
    lines: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{SEPARATOR}{piece}" if current else piece
        if current and len(candidate) > width:
            lines.append(current)
            current = piece
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines
