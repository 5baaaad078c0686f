"""Codebooks as CSV: one row per code, ``parent`` by id (a spreadsheet-friendly form).

Columns: id, name, parent, roles (declared, ``;``-separated; empty = inherit),
applies_to (resolved roles; informational, ignored on import), definition,
include, exclude, examples (one per line inside the cell), color, codable,
exclusive, rules (JSON). Import needs only ``name``; everything else is optional.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from qualcode.codebook.defaults import DEFAULT_ROLES
from qualcode.codebook.loader import ROLE_KEY_PATTERN
from qualcode.codebook.model import Codebook, Role
from qualcode.codebook.writer import CodeDraft, build_codebook, rules_to_dict
from qualcode.errors import InteropError, Problem, ValidationFailed

COLUMNS = (
    "id", "name", "parent", "roles", "applies_to", "definition", "include", "exclude",
    "examples", "color", "codable", "exclusive", "rules",
)  # fmt: skip
TRUE_WORDS = {"true", "yes", "1", "y"}
FALSE_WORDS = {"false", "no", "0", "n"}


def codebook_to_csv(codebook: Codebook) -> str:
    """The codebook as CSV text (file order, parents before children)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for code in codebook.codes.values():
        rules = rules_to_dict(code.rules)
        writer.writerow({
            "id": code.id, "name": code.name, "parent": code.parent or "",
            "roles": ";".join(r for r in codebook.roles if r in (code.declared_roles or ())),
            "applies_to": ";".join(r for r in codebook.roles if r in code.roles),
            "definition": code.definition, "include": code.include, "exclude": code.exclude,
            "examples": "\n".join(code.examples), "color": code.color or "",
            "codable": str(code.codable).lower(), "exclusive": str(code.exclusive).lower(),
            "rules": json.dumps(rules, ensure_ascii=False) if rules else "",
        })  # fmt: skip
    return buffer.getvalue()


def read_csv_codebook(path: str | Path, *, output: str | None = None) -> Codebook:
    """Read a CSV codebook; every row problem is reported at once (ValidationFailed)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InteropError(f"Cannot read {path}: {exc}", file=str(path)) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "name" not in reader.fieldnames:
        found = ", ".join(reader.fieldnames or []) or "nothing"
        raise InteropError(f"{path.name} needs a 'name' column; found columns: {found}", file=str(path))
    problems: list[Problem] = []
    rows = [(reader.line_num, row) for row in reader]
    drafts = _drafts(rows, str(path), problems)
    roots = _tree(drafts, str(path), problems)
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise ValidationFailed(problems=problems, file_name=str(path))
    roles = _roles_used(drafts)
    return build_codebook(
        roots, roles, file=output, title=None, header=f"# Imported from {path.name} by qualcode.\n"
    )


def _drafts(rows, file: str, problems: list[Problem]) -> list[tuple[int, str | None, CodeDraft]]:
    drafts = []
    for line, row in rows:
        get = _cells(row)
        if not get("name"):
            problems.append(Problem("Row has an empty 'name'; every code needs a name", file=file, line=line))
            continue
        draft = CodeDraft(
            name=get("name"), id=get("id") or None, definition=get("definition"),
            include=get("include"), exclude=get("exclude"),
            examples=[e.strip() for e in get("examples").splitlines() if e.strip()],
            roles=[r.strip() for r in get("roles").split(";") if r.strip()] or None,
            color=get("color") or None,
            codable=_flag(get("codable"), True, "codable", file, line, problems),
            exclusive=_flag(get("exclusive"), False, "exclusive", file, line, problems),
            rules=_rules(get("rules"), file, line, problems),
        )  # fmt: skip
        bad_roles = [r for r in draft.roles or () if not ROLE_KEY_PATTERN.match(r)]
        if bad_roles:
            problems.append(Problem(
                f"Invalid role key '{bad_roles[0]}' in 'roles': use keys like service_provider, "
                "separated by ';'", file=file, line=line,
            ))  # fmt: skip
            draft.roles = None
        drafts.append((line, get("parent") or None, draft))
    return drafts


def _cells(row: dict[str, str | None]) -> Callable[[str], str]:
    """A getter for a row's stripped cells ("" for missing columns)."""
    return lambda key: (row.get(key) or "").strip()


def _flag(value: str, default: bool, column: str, file: str, line: int, problems: list[Problem]) -> bool:
    if not value:
        return default
    if value.lower() in TRUE_WORDS | FALSE_WORDS:
        return value.lower() in TRUE_WORDS
    problems.append(Problem(f"'{column}' must be true or false; got '{value}'", file=file, line=line))
    return default


def _rules(value: str, file: str, line: int, problems: list[Problem]) -> dict | None:
    if not value:
        return None
    try:
        rules = json.loads(value)
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(f"'rules' must be JSON ({exc.msg}); got '{value[:40]}'", file=file, line=line)
        )
        return None
    return rules if isinstance(rules, dict) else None


def _tree(drafts, file: str, problems: list[Problem]) -> list[CodeDraft]:
    """Attach children to parents by id; unknown parents and cycles are problems."""
    by_id = {d.id: (line, parent, d) for line, parent, d in drafts if d.id}
    roots = []
    for line, parent, draft in drafts:
        if parent is None:
            roots.append(draft)
        elif parent not in by_id:
            problems.append(
                Problem(
                    f"Parent '{parent}' of code '{draft.name}' is not an id in this file",
                    file=file,
                    line=line,
                )
            )
        elif _cycle(draft, by_id):
            problems.append(
                Problem(
                    f"Code '{draft.id}' is its own ancestor (parent cycle: {_cycle(draft, by_id)})",
                    file=file,
                    line=line,
                )
            )
        else:
            by_id[parent][2].children.append(draft)
    return roots


def _cycle(draft: CodeDraft, by_id) -> str | None:
    seen = [draft.id]
    parent = by_id.get(draft.id, (0, None, None))[1]
    while parent is not None and parent in by_id:
        if parent in seen:
            return " -> ".join(str(step) for step in [*seen, parent])
        seen.append(parent)
        parent = by_id[parent][1]
    return None


def _roles_used(drafts) -> dict[str, Role]:
    """The default roles, plus any other role key the file names."""
    roles = dict(DEFAULT_ROLES)
    for _line, _parent, draft in drafts:
        for key in draft.roles or ():
            roles.setdefault(key, Role(key, key.replace("_", " ").capitalize()))
    return roles
