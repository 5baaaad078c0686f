"""Queries on memos: a coder's memo on a transcript or on a code (table ``memos``), and
every memo on codings (``codings.memo``) for the coding screen's memos view.

No business rules here (see :mod:`qualcode.coding.memos`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from qualcode.store.codings import now
from qualcode.store.schema import codings, memos, segments

MEMO_FIELDS = ("id", "coder", "transcript_id", "code_id", "text")


def _row(row) -> dict[str, Any]:
    return dict(zip(MEMO_FIELDS, row, strict=True))


def find_memo(conn: Connection, coder: str, *, transcript_id: str | None, code_id: str | None) -> dict | None:
    """The coder's memo on the transcript or on the code, if any."""
    query = select(*(memos.c[f] for f in MEMO_FIELDS)).where(
        memos.c.coder == coder,
        memos.c.transcript_id.is_(None) if transcript_id is None else memos.c.transcript_id == transcript_id,
        memos.c.code_id.is_(None) if code_id is None else memos.c.code_id == code_id,
    )
    row = conn.execute(query.order_by(memos.c.id).limit(1)).first()
    return _row(row) if row is not None else None


def memo_by_id(conn: Connection, memo_id: int) -> dict | None:
    row = conn.execute(select(*(memos.c[f] for f in MEMO_FIELDS)).where(memos.c.id == memo_id)).first()
    return _row(row) if row is not None else None


def insert_memo(conn: Connection, values: dict[str, Any]) -> dict[str, Any]:
    """Insert a memo (with an explicit id when a redo re-creates one)."""
    row = {k: values.get(k) for k in MEMO_FIELDS}
    if row["id"] is None:
        del row["id"]
    stamp = now()
    result = conn.execute(insert(memos).values(**row, created_at=stamp, updated_at=stamp))
    key = result.inserted_primary_key
    assert key is not None
    return {**row, "id": row.get("id") or key[0]}


def update_memo(conn: Connection, memo_id: int, text: str) -> dict[str, Any]:
    conn.execute(update(memos).where(memos.c.id == memo_id).values(text=text, updated_at=now()))
    found = memo_by_id(conn, memo_id)
    assert found is not None
    return found


def delete_memo(conn: Connection, memo_id: int) -> int:
    return conn.execute(delete(memos).where(memos.c.id == memo_id)).rowcount


def target_memos(conn: Connection, coders: list[str] | None = None) -> list[dict[str, Any]]:
    """Every memo on a transcript or code (of ``coders`` only, when named), oldest first, with when it was last changed."""
    query = select(*(memos.c[f] for f in MEMO_FIELDS), memos.c.updated_at).order_by(memos.c.id)
    if coders is not None:
        query = query.where(memos.c.coder.in_(coders))
    return [{**_row(r[:-1]), "updated_at": r[-1]} for r in conn.execute(query)]


def coding_memos(conn: Connection) -> list[dict[str, Any]]:
    """Every live coding with a memo: id, coder, transcript, turn ordinal, code, memo, updated_at."""
    query = (
        select(codings.c.id, codings.c.coder, codings.c.transcript_id, segments.c.ordinal, codings.c.code_id,
               codings.c.memo, codings.c.updated_at)
        .join(segments, segments.c.id == codings.c.segment_id)
        .where(codings.c.memo.is_not(None), codings.c.orphaned.is_(False))
        .order_by(codings.c.transcript_id, codings.c.start_offset, codings.c.id)
    )
    keys = ("coding_id", "coder", "transcript_id", "ordinal", "code_id", "text", "updated_at")
    return [dict(zip(keys, r, strict=True)) for r in conn.execute(query)]
