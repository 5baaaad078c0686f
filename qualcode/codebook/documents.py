"""Printable codebooks for coder training: Markdown and Word (.docx).

Both list the roles, then every code in tree order with its definition, when to use
it, when not to, examples, and the roles it applies to.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.codebook.model import Code, Codebook


def applies_to(codebook: Codebook, code: Code) -> str:
    """ "All roles" or the role labels, in declaration order."""
    if code.roles == frozenset(codebook.roles):
        return "All roles"
    return ", ".join(r.label for r in codebook.roles.values() if r.key in code.roles)


def codebook_to_markdown(codebook: Codebook) -> str:
    """The codebook as a Markdown document."""
    lines = [f"# {codebook.title or 'Codebook'}", ""]
    if codebook.description:
        lines += [codebook.description, ""]
    lines += ["## Roles", "", "| key | label | aliases |", "|---|---|---|"]
    lines += [f"| `{r.key}` | {r.label} | {', '.join(r.aliases)} |" for r in codebook.roles.values()]
    lines += ["", "## Codes", ""]
    for code in codebook.codes.values():
        lines += _markdown_code(codebook, code)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_code(codebook: Codebook, code: Code) -> list[str]:
    level = "#" * min(3 + codebook.depth(code.id), 6)
    flags = [] if code.codable else ["grouping only, not applied"]
    if code.exclusive:
        flags.append("children are mutually exclusive")
    suffix = f" ({'; '.join(flags)})" if flags else ""
    lines = [f"{level} {code.name} — `{code.id}`{suffix}", ""]
    for label, value in (
        ("Definition", code.definition),
        ("Use when", code.include),
        ("Do not use when", code.exclude),
    ):
        if value:
            lines += [f"**{label}:** {value}", ""]
    lines += [f"**Applies to:** {applies_to(codebook, code)}", ""]
    if code.examples:
        lines += ["**Examples:**", ""] + [f"- “{e}”" for e in code.examples] + [""]
    return lines


def write_docx(codebook: Codebook, output: Path) -> None:
    """Write the codebook as a Word document (python-docx)."""
    from docx import Document  # heavy: only when a .docx is asked for

    document = Document()
    document.add_heading(codebook.title or "Codebook", level=0)
    if codebook.description:
        document.add_paragraph(codebook.description)
    document.add_heading("Roles", level=1)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, ("Key", "Label", "Aliases"), strict=True):
        cell.text = header
    for role in codebook.roles.values():
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = role.key, role.label, ", ".join(role.aliases)
    document.add_heading("Codes", level=1)
    for code in codebook.codes.values():
        _docx_code(document, codebook, code)
    document.save(str(output))


def _docx_code(document, codebook: Codebook, code: Code) -> None:
    document.add_heading(f"{code.name} ({code.id})", level=min(2 + codebook.depth(code.id), 9))
    if not code.codable:
        document.add_paragraph().add_run("Grouping only: apply one of its children.").italic = True
    if code.exclusive:
        document.add_paragraph("Its children are mutually exclusive: apply at most one.")
    for label, value in (
        ("Definition", code.definition), ("Use when", code.include), ("Do not use when", code.exclude),
        ("Applies to", applies_to(codebook, code)),
    ):  # fmt: skip
        if value:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)
    for example in code.examples:
        document.add_paragraph(f"“{example}”", style="List Bullet")
