"""Many inserted codings logged as one event: a column-wise payload (issue 21, project size).

A bulk run (``autocode --as NAME``, a codings import) logged one event row per inserted
coding, each carrying the whole coding: ~230 bytes a coding, the events table a quarter
of a coded project. Now up to LIMIT consecutive inserts are one event row (its
transcript is theirs when they share one, else empty) whose ``after`` holds the rows
column by column:

- a column with the same value in every row (the coder, the transcript, the origin,
  the timestamps, an empty memo) is stored once;
- a column of consecutive integers (the ids, reserved up front) as its first value;
- another integer column as its values, the steps between them (segment ids, start
  offsets) or its distance from an earlier column (an end offset from its start),
  whichever is shortest;
- a text column with repeats (the code ids) as its distinct values and an index each;
- any column whose values come in runs (the transcripts) as each value and its count;
- any other column as the list of its values.

:func:`decode_rows` gives back exactly the rows :func:`encode_rows` was given (as JSON
reads them back), in order and with their keys in order. The readers in
``store.codings`` expand such an event into one event per coding, so undo, redo,
``qualcode log`` and bundles see what they saw before; events stored one per coding
(older projects, per-coding actions) read as they always did.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

MARK = "_c"
BATCH = 3  # compact_payload's forms are 1 (a whole row) and 2 (an update's changed fields)
LIMIT = 2000  # rows per event: bounds one JSON value (and what one read expands)


def is_batch(payload: Any) -> bool:
    return isinstance(payload, dict) and payload.get(MARK) == BATCH


def encode_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The column-wise payload of ``rows`` (JSON values, every row with the same keys)."""
    if not rows:
        raise ValueError("a batch event holds at least one row")
    keys = list(rows[0])
    if any(list(row) != keys for row in rows):
        raise ValueError("the rows of one batch event have the same columns, in the same order")
    columns: dict[str, list] = {}
    stored: dict[str, list] = {}
    for key in keys:
        columns[key] = [row[key] for row in rows]
        stored[key] = _encode_column(columns[key], columns)
    return {MARK: BATCH, "n": len(rows), "keys": keys, "cols": stored}


def _encode_column(values: list, earlier: dict[str, list]) -> list:
    """[form, data]: the shortest of the forms that give ``values`` back exactly."""
    first = values[0]
    if all(type(v) is type(first) and v == first for v in values):  # 0, 0.0 and False differ
        return ["same", first]
    if all(type(v) is int for v in values):
        if values == list(range(first, first + len(values))):
            return ["run", first]
        forms = [["list", values], _repeats(values), ["step", [b - a for a, b in zip([0, *values], values, strict=False)]]]
        forms += [  # an end offset as its distance from the start
            ["from", [key, [v - o for v, o in zip(values, other, strict=True)]]]
            for key, other in earlier.items() if other is not values and all(type(o) is int for o in other)
        ]
        return min(forms, key=_size)
    if all(type(v) is str for v in values) and len(set(values)) < len(values):
        distinct = list(dict.fromkeys(values))
        index = {value: n for n, value in enumerate(distinct)}
        return min(["index", [distinct, [index[v] for v in values]]], _repeats(values), key=_size)
    return min(["list", values], _repeats(values), key=_size)


def _repeats(values: list) -> list:
    """["repeat", [[value, times], ...]]: consecutive equal values once each (a transcript's codings)."""
    out: list[list] = []
    for value in values:
        if out and type(out[-1][0]) is type(value) and out[-1][0] == value:
            out[-1][1] += 1
        else:
            out.append([value, 1])
    return ["repeat", out]


def _size(form: list) -> int:
    return len(json.dumps(form[1], separators=(",", ":")))


def decode_rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows :func:`encode_rows` stored, in order."""
    count, columns = payload["n"], {}
    for key in payload["keys"]:
        form, data = payload["cols"][key]
        if form == "same":
            columns[key] = [data] * count
        elif form == "run":
            columns[key] = list(range(data, data + count))
        elif form == "step":
            columns[key] = list(itertools.accumulate(data))
        elif form == "from":
            other, gaps = data
            columns[key] = [o + gap for o, gap in zip(columns[other], gaps, strict=True)]
        elif form == "index":
            distinct, picks = data
            columns[key] = [distinct[n] for n in picks]
        elif form == "repeat":
            columns[key] = [value for value, times in data for _ in range(times)]
        else:
            columns[key] = data
    return [{key: columns[key][n] for key in payload["keys"]} for n in range(count)]


def chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``rows`` in order, cut into events of at most LIMIT rows."""
    return [rows[first : first + LIMIT] for first in range(0, len(rows), LIMIT)]


def only(rows: list[dict[str, Any]], key: str) -> Any:
    """The one value of ``key`` in the rows, or None when they differ (an event's transcript)."""
    values = {row[key] for row in rows}
    return values.pop() if len(values) == 1 else None
