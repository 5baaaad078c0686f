"""Event payloads of codings: a coding's fields, and the compact form the log stores.

Moved out of ``store/codings.py`` as it was (a pure move): the payload format has no
queries of its own; ``store/codings.py`` and ``store/bulk.py`` write and read it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from qualcode.store import batches

CODING_FIELDS = (
    "id", "transcript_id", "segment_id", "coder", "code_id", "start_offset", "end_offset",
    "origin", "confidence", "memo", "codebook_version_id", "orphaned", "orphan_text",
    "created_at", "updated_at",
)


def _jsonable(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


# -- compact event payloads ------------------------------------------------------------------
# A coding's payload was its whole row as JSON (~400 bytes, twice for an update), which
# made the events table the largest in a coded project. Coding-shaped payloads are now
# stored with short keys, without empty values, and an update's "after" as only the
# fields that changed; the readers here (group_events, event_rows) expand them back, so
# every caller still sees whole rows. Other payloads (transcript records, decisions) and
# rows written before this change are stored and read as they are.

COMPACT_MARK = "_c"
SHORT_KEYS = {
    "id": "i", "transcript_id": "t", "segment_id": "s", "coder": "c", "code_id": "k", "start_offset": "a",
    "end_offset": "b", "origin": "o", "confidence": "f", "memo": "m", "codebook_version_id": "v",
    "orphaned": "x", "orphan_text": "ot", "created_at": "ca", "updated_at": "ua",
}
LONG_KEYS = {short: long for long, short in SHORT_KEYS.items()}


def compact_payload(
    values: dict | None, base: dict | None = None, *, coder: str | None = None, transcript_id: str | None = None
) -> dict | None:
    """The stored form of an event payload; with ``base`` (an update's before), a delta.

    What the event row itself says (its ``coder`` and ``transcript_id``) and an
    ``updated_at`` equal to ``created_at`` are left out too.
    """
    values = _jsonable(values)
    if values is None or set(values) != set(CODING_FIELDS):
        return values
    base = _jsonable(base)
    delta = base is not None and set(base) == set(CODING_FIELDS)
    base = base or {}
    implied = {"coder": coder, "transcript_id": transcript_id, "updated_at": values["created_at"]}
    out: dict[str, Any] = {COMPACT_MARK: 2 if delta else 1}
    for key, value in values.items():
        if delta and key != "id" and base[key] == value:
            continue
        if not delta and (value is None or value is False or (key in implied and implied[key] == value)):
            continue  # identity tests: 0 and 0.0 are kept
        out[SHORT_KEYS[key]] = value
    return out


def expand_payload(stored: dict | None, base: dict | None = None, *, event: dict | None = None) -> dict | None:
    """The whole row back from ``compact_payload``'s form (other payloads unchanged).

    ``event`` is the event row, for the coder and transcript the payload left out.
    """
    if not isinstance(stored, dict) or COMPACT_MARK not in stored:
        return stored
    if stored[COMPACT_MARK] == 2:
        start = dict(base or {})
    else:
        event = event or {}
        start = {key: None for key in CODING_FIELDS} | {
            "orphaned": False, "coder": event.get("coder"), "transcript_id": event.get("transcript_id"),
        }
    start.update({LONG_KEYS[key]: value for key, value in stored.items() if key != COMPACT_MARK})
    if stored[COMPACT_MARK] == 1 and "ua" not in stored:
        start["updated_at"] = start["created_at"]
    return {key: start[key] for key in CODING_FIELDS}


def expand_events(event: dict) -> list[dict]:
    """The stored event as the events it stands for: one per coding of a batch
    (``store.batches``; they share the row's id, time and group), else itself expanded."""
    if batches.is_batch(event.get("after")):
        return [{**event, "transcript_id": row["transcript_id"], "coding_id": row["id"], "before": None, "after": row}
                for row in batches.decode_codings(event["after"])]
    return [expand_event(event)]


def expand_event(event: dict) -> dict:
    before = expand_payload(event.get("before"), event=event)
    event["before"], event["after"] = before, expand_payload(event.get("after"), before, event=event)
    return event
