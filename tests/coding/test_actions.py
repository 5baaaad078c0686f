"""The typed result of a coding action: frozen rows whose to_dict() is the --json shape."""

from __future__ import annotations

import dataclasses

import pytest

from qualcode.coding.actions import (
    ActionBuilder,
    ActionResult,
    DecisionChange,
    MarkChange,
    MemoChange,
    StoredCoding,
)
from qualcode.coding.finishing import payload as mark_payload
from qualcode.coding.memos import payload as memo_payload
from qualcode.coding.session import CodingSession
from qualcode.store.coded_text import ListedCoding
from qualcode.store.codings import CODING_FIELDS, DECISION_FIELDS

pytestmark = pytest.mark.coders("ana")


@pytest.mark.parametrize(("row_type", "extra"), [
    (StoredCoding, ()),
    (ListedCoding, ("ordinal", "role", "site", "coded_text")),  # the listing's row: the columns, then its own
])
def test_a_stored_coding_has_the_codings_columns_in_order(row_type, extra):
    assert tuple(f.name for f in dataclasses.fields(row_type)) == (*CODING_FIELDS, *extra)


def test_a_decision_has_the_decision_row_and_its_change():
    names = tuple(f.name for f in dataclasses.fields(DecisionChange))
    assert names == ("id", *DECISION_FIELDS, "change")


@pytest.mark.parametrize(("make", "kind"), [(mark_payload, "mark"), (memo_payload, "memo")])
def test_a_record_is_typed_by_its_payload_kind(make, kind):
    row = {"id": 7, "transcript_id": "t", "ordinal": 3, "coder": "ana", "kind": "nothing", "transcript_sha256": "s",
           "code_id": None, "text": "a memo"}
    builder = ActionBuilder(kind)
    builder.record(make(row), "set")
    result = builder.build()
    (record,) = result.marks + result.memos
    assert isinstance(record, MarkChange if kind == "mark" else MemoChange)
    assert record.to_dict() == {**make(row), "change": "set"}  # the logged payload plus its change


def test_a_payload_of_another_kind_or_missing_a_field_is_refused():
    with pytest.raises(ValueError, match="not a mark or memo payload"):
        ActionBuilder("x").record({"kind": "suggestion"}, "set")
    with pytest.raises(KeyError):
        MarkChange.of({"kind": "mark", "id": 1}, "set")


def test_the_result_is_frozen_and_its_to_dict_lists_every_row(project, interview):
    result = CodingSession(project, "ana").tag("vsp-1", 2, ["referral.hotline", "challenge.case_length"])
    assert isinstance(result, ActionResult) and isinstance(result.added, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.group_id = 0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.added[0].code_id = "x"  # type: ignore[misc]
    shown = result.to_dict()
    assert [row["code_id"] for row in shown["added"]] == ["referral.hotline", "challenge.case_length"]
    assert shown["added"][0] == dict(zip(CODING_FIELDS, dataclasses.astuple(result.added[0]), strict=True))
    assert (shown["action"], shown["group_id"]) == ("tag", result.group_id) and shown["removed"] == []
