"""Rows written before team mode's checks were in place, re-validated by ``db grant``.

A coder's role may have written rows before ``qualcode db grant`` (re-)installed the
row-check trigger and the policies (``store/access.py``). The grant checks every stored
row those checks cover and refuses, listing counts, while any would be refused; ``db
grant --check`` lists their ids. Only PostgreSQL has coder roles.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, select

from qualcode.errors import StoreError
from qualcode.store.schema import codebook_versions

# What the row-check trigger and the policies refuse, as conditions on stored rows.
# A coder's role may have written rows before 'db grant' (re-)installed them; the rows
# qualcode itself writes never match (tests/security/test_team_postgres.py).
_CODING_EVENT_OK = (  # the trigger's test of a coding event: its whole row carries code and span
    "coalesce((SELECT json_typeof(s) = 'object' AND json_typeof(s -> k[1]) = 'string' "
    "AND json_typeof(s -> k[2]) = 'number' AND json_typeof(s -> k[3]) = 'number' "
    "FROM (SELECT st.s, CASE WHEN (st.s ->> '_c') IS NOT NULL THEN ARRAY['k', 'a', 'b'] "
    "ELSE ARRAY['code_id', 'start_offset', 'end_offset'] END AS k "
    "FROM (SELECT CASE WHEN json_typeof(after) = 'object' AND coalesce(after ->> '_c', '1') = '1' "
    "THEN after ELSE before END AS s) st) x), false)"
)
_BATCH_EVENT_OK = (  # a batch of inserted codings (store/batches.py), as the trigger tests it
    "(coalesce(json_typeof(after -> 'n'), '') = 'number' AND (after ->> 'n')::numeric BETWEEN 1 AND 2000 "
    "AND coalesce(json_typeof(after -> 'cols'), '') = 'object' AND (after -> 'cols' -> 'code_id') IS NOT NULL "
    "AND (after -> 'cols' -> 'start_offset') IS NOT NULL AND (after -> 'cols' -> 'end_offset') IS NOT NULL)"
)
_EVENT_OK = (
    f"CASE WHEN json_typeof(after) = 'object' AND (after ->> '_c') = '3' THEN {_BATCH_EVENT_OK} "
    f"ELSE {_CODING_EVENT_OK} END"
)
STORED_ROW_CHECKS: dict[str, tuple[str, str]] = {
    "event(s) with an action that is not a lower-case word": ("events", "action !~ '^[a-z][a-z_:-]{0,39}$'"),
    "event(s) whose before or after is not a JSON object": (
        "events",
        (
            "coalesce(json_typeof(before), 'null') NOT IN ('object', 'null') "
            "OR coalesce(json_typeof(after), 'null') NOT IN ('object', 'null')"
        ),
    ),
    "coding event(s) without the code and span": ("events", f"coding_id IS NOT NULL AND NOT ({_EVENT_OK})"),
    "coding(s) outside 0 <= start < end": ("codings", "start_offset < 0 OR end_offset <= start_offset"),
    "decision(s) with a bad span or evidence that is not an object": (
        "suggestions",
        "decided_by IS NOT NULL AND (start_offset < 0 OR end_offset <= start_offset OR json_typeof(evidence) <> 'object')",
    ),
    "decision(s) neither accepted nor rejected": (
        "suggestions", "decided_by IS NOT NULL AND status NOT IN ('accepted', 'rejected')",
    ),
    "decision(s) by no known coder": ("suggestions", "decided_by IS NOT NULL AND decided_by NOT IN (SELECT name FROM coders)"),
}
SHOWN_IDS = 20


@dataclass(frozen=True)
class StoredRowProblems:
    """Rows the team-mode checks would refuse, found in the store: problem -> row ids."""

    found: dict[str, list[int]]

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.found.values())

    def summary(self) -> str:
        return "; ".join(f"{len(ids)} {problem}" for problem, ids in self.found.items())

    def lines(self) -> list[str]:
        """One line a problem with the ids (the first 20), for ``db grant --check``."""
        return [
            f"{len(ids)} {problem}: id {', '.join(map(str, ids[:SHOWN_IDS]))}{' ...' if len(ids) > SHOWN_IDS else ''}"
            for problem, ids in self.found.items()
        ]

    def to_dict(self) -> dict:
        return {"total": self.total, "problems": {problem: list(ids) for problem, ids in self.found.items()}}


def stored_row_problems(conn: Connection, codebook_parses=None) -> StoredRowProblems:
    """Check every stored row the coder checks cover (PostgreSQL), and the codebook versions:
    each text must hash to its ``hash`` and, given ``codebook_parses(text) -> bool``, parse."""
    if conn.dialect.name != "postgresql":
        raise StoreError(f"'db grant' needs a PostgreSQL database (this project uses {conn.dialect.name})")
    quote = conn.dialect.identifier_preparer.quote
    found: dict[str, list[int]] = {}
    for problem, (table, condition) in STORED_ROW_CHECKS.items():
        ids = list(conn.exec_driver_sql(f"SELECT id FROM {quote(table)} WHERE {condition} ORDER BY id").scalars())
        if ids:
            found[problem] = ids
    mismatched, broken = [], []
    for version_id, digest, text in conn.execute(select(codebook_versions.c.id, codebook_versions.c.hash, codebook_versions.c.text)):
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
            mismatched.append(version_id)
        elif codebook_parses is not None and not codebook_parses(text):
            broken.append(version_id)
    for problem, ids in (("codebook version(s) whose text does not match their hash", mismatched),
                         ("codebook version(s) that do not parse", broken)):
        if ids:
            found[problem] = sorted(ids)
    return StoredRowProblems(found)


def refuse_stored_problems(problems: StoredRowProblems, role: str) -> None:
    if problems.total:
        raise StoreError(
            f"db grant refused: the store holds {problems.total} row(s) the coder checks would refuse, written before "
            f"they were in place ({problems.summary()}); 'qualcode db grant {role} --check' lists their ids; "
            "correct or delete them, then grant again"
        )
