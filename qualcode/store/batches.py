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
import operator
from typing import Any

from qualcode.errors import StoreError

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
    integers: dict[str, list] = {}  # the earlier columns of integers only, for the "from" form
    stored: dict[str, list] = {}
    for key, values in zip(keys, map(list, zip(*(row.values() for row in rows), strict=True)), strict=True):
        kinds = set(map(type, values))
        stored[key] = _encode_column(values, kinds, integers)
        if kinds == {int}:
            integers[key] = values
    return {MARK: BATCH, "n": len(rows), "keys": keys, "cols": stored}


def _encode_column(values: list, kinds: set[type], integers: dict[str, list]) -> list:
    """[form, data]: the shortest of the forms that give ``values`` back exactly.
    ``kinds`` are the values' types (0, 0.0 and False differ); ``integers`` the earlier
    columns of integers. The tests run at C speed (map, count): a bulk run encodes
    every coding it writes."""
    first, uniform = values[0], len(kinds) == 1
    if uniform and first == first and values.count(first) == len(values):  # first == first: not NaN
        return ["same", first]
    if kinds == {int}:
        if values == list(range(first, first + len(values))):
            return ["run", first]
        forms = [["list", values], _repeats(values, uniform), ["step", list(map(operator.sub, values, [0, *values[:-1]]))]]
        forms += [["from", [key, list(map(operator.sub, values, other))]] for key, other in integers.items()]  # an end from its start
        return min(forms, key=_size)
    if kinds == {str} and len(set(values)) < len(values):
        distinct = list(dict.fromkeys(values))
        index = {value: n for n, value in enumerate(distinct)}
        return min(["index", [distinct, list(map(index.__getitem__, values))]], _repeats(values, uniform), key=_size)
    return min(["list", values], _repeats(values, uniform), key=_size)


def _repeats(values: list, uniform: bool = False) -> list:
    """["repeat", [[value, times], ...]]: consecutive equal values once each (a transcript's codings).
    ``uniform``: the values have one type, so equal is enough (groupby's test)."""
    if uniform:  # where a value differs from the one before, found and counted at C speed
        starts = [0, *itertools.compress(range(1, len(values)), map(operator.ne, values[1:], values[:-1]))]
        times = map(operator.sub, [*starts[1:], len(values)], starts)
        return ["repeat", list(map(list, zip(map(values.__getitem__, starts), times, strict=True)))]
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
    """The rows :func:`encode_rows` stored, in order.

    A stored event is untrusted (a teammate's database role may have written it), so the
    payload is checked before anything is built from it: at most LIMIT rows, every column
    exactly that long. Memory stays bounded by LIMIT whatever the payload claims; a bad
    one is one StoreError, never a crash. :func:`decode_codings` also checks each row.
    """
    count, keys, stored = payload.get("n"), payload.get("keys"), payload.get("cols")
    if type(count) is not int or not 1 <= count <= LIMIT:
        raise StoreError(f"a batch event claims {count!r} codings; allowed: 1 to {LIMIT}")
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys) or not isinstance(stored, dict):
        raise StoreError("a batch event has no list of column names and columns")
    columns: dict[str, list] = {}
    for key in keys:
        form = stored.get(key)
        if not (isinstance(form, list) and len(form) == 2 and isinstance(form[0], str)):
            raise StoreError(f"a batch event's column {key[:40]!r} is not [form, data]")
        columns[key] = _decode_column(form[0], form[1], count, columns)
        if len(columns[key]) != count:
            raise StoreError(f"a batch event's column {key[:40]!r} has {len(columns[key])} values for {count} codings")
    return [{key: columns[key][n] for key in keys} for n in range(count)]


def decode_codings(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """:func:`decode_rows` of a batch of inserted codings, each with its id, code and span."""
    rows = decode_rows(payload)
    for row in rows:
        _check_coding(row)
    return rows


def _decode_column(form: str, data: Any, count: int, columns: dict[str, list]) -> list:
    try:
        if form == "same":
            return [data] * count
        if form == "run" and type(data) is int:
            return list(range(data, data + count))
        if form == "step" and isinstance(data, list) and len(data) == count:
            return list(itertools.accumulate(data))
        if form == "from":
            other, gaps = data
            return [o + gap for o, gap in zip(columns[other], gaps, strict=True)]
        if form == "index":
            distinct, picks = data
            if isinstance(picks, list) and len(picks) == count:
                return [distinct[n] for n in picks]
        if form == "repeat" and isinstance(data, list):
            if sum(times for _, times in data if type(times) is int and times > 0) == count == sum(t for _, t in data):
                return [value for value, times in data for _ in range(times)]
        if form == "list" and isinstance(data, list):
            return data
    except (TypeError, ValueError, KeyError, IndexError) as error:
        raise StoreError(f"a batch event's column of form {form[:20]!r} cannot be read ({type(error).__name__})") from None
    raise StoreError(f"a batch event's column has form {form[:20]!r} with data that does not fit {count} codings")


def _check_coding(row: dict[str, Any]) -> None:
    start, end = row.get("start_offset"), row.get("end_offset")
    if (type(row.get("id")) is not int or not isinstance(row.get("code_id"), str)
            or type(start) is not int or type(end) is not int or not 0 <= start < end):
        raise StoreError("a batch event holds a coding without an id, a code and a span 0 <= start < end")


def chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``rows`` in order, cut into events of at most LIMIT rows."""
    return [rows[first : first + LIMIT] for first in range(0, len(rows), LIMIT)]


def only(rows: list[dict[str, Any]], key: str) -> Any:
    """The one value of ``key`` in the rows, or None when they differ (an event's transcript)."""
    values = {row[key] for row in rows}
    return values.pop() if len(values) == 1 else None
