"""The review queue: open suggestions ordered most-uncertain or most-confident first."""

from __future__ import annotations

import pytest

from qualcode.coding.learn import train
from qualcode.coding.listing import list_codings
from qualcode.coding.review_queue import list_suggestions, uncertainty
from qualcode.errors import QualcodeError

pytestmark = pytest.mark.coders("alice")


def test_list_orders_by_uncertainty_and_hides_coded_turns(coded_project):
    train(coded_project, "alice", min_positive=5)
    rows = list_suggestions(coded_project, order="uncertain", source="model")
    coded = {(r.transcript, r.segment) for r in list_codings(coded_project, coder="alice")}
    assert rows and not {(r.transcript, r.segment) for r in rows} & coded  # turns alice coded are hidden
    assert "vsp-6" in {r.transcript for r in rows}
    closeness = [r.uncertainty for r in rows]
    assert closeness == sorted(closeness, reverse=True)
    confident = list_suggestions(coded_project, order="confident", source="model")
    assert [r.score for r in confident] == sorted((r.score for r in confident), reverse=True)
    assert len(list_suggestions(coded_project, coder="nobody", source="model")) > len(rows)


@pytest.mark.parametrize(("p", "expected"), [(0.5, 0.5), (0.0, 0.0), (1.0, 0.0), (0.8, 0.2)])
def test_uncertainty(p, expected):
    assert uncertainty(p) == pytest.approx(expected)


def test_unknown_order_is_refused(project):
    with pytest.raises(QualcodeError, match="Unknown order 'newest'; orders: uncertain, confident"):
        list_suggestions(project, order="newest")
