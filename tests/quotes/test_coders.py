"""default_coder: consensus, else the only coder, else an error listing coders."""

from __future__ import annotations

import pytest

from qualcode.coding.session import CodingSession
from qualcode.errors import NotFoundError
from qualcode.quotes.coders import default_coder

pytestmark = pytest.mark.coders("ana", "ben", "consensus")


def test_no_codings(project, interview):
    with pytest.raises(NotFoundError, match="no codings yet"):
        default_coder(project)


def test_only_coder_then_several_then_consensus(project, interview):
    CodingSession(project, "ana").tag("vsp-1", 2, ["referral.hotline"])
    assert default_coder(project) == "ana"
    CodingSession(project, "ben").tag("vsp-1", 4, ["challenge.housing"])
    with pytest.raises(NotFoundError, match=r"several coders \(ana, ben\)"):
        default_coder(project)
    CodingSession(project, "consensus").tag("vsp-1", 4, ["challenge.housing"], origin="consensus")
    assert default_coder(project) == "consensus"


def test_a_coder_without_codings_does_not_count(project, interview):
    session = CodingSession(project, "ana")
    session.tag("vsp-1", 2, ["referral.hotline"])
    CodingSession(project, "ben").tag("vsp-1", 4, ["challenge.housing"])
    CodingSession(project, "ben").undo()
    assert default_coder(project) == "ana"
