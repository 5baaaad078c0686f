import pytest

from qualcode.coding.assignments import assigned_transcripts, next_transcript, transcript_choices
from qualcode.coding.blind import Viewer, is_blind
from qualcode.coding.session import CodingSession
from qualcode.errors import NotFoundError

pytestmark = pytest.mark.coders("ana", "ben", "cy")


def code_every_turn(project, coder, transcript):
    session = CodingSession(project, coder)
    for segment in transcript.respondent_segments:
        session.tag(transcript.id, segment.ordinal, ["challenge"])


def test_without_assignment_first_unfinished(project, interview, second):
    assert next_transcript(project, "ana") == "vsp-1"
    code_every_turn(project, "ana", interview)
    assert next_transcript(project, "ana") == "vsp-2"


def test_partly_coded_is_unfinished(project, interview, second):
    CodingSession(project, "ana").tag("vsp-1", 2, ["challenge"])
    assert next_transcript(project, "ana") == "vsp-1"


def test_assigned_unfinished_comes_first(project, interview, second, assign):
    assign("irr", ["vsp-2"], ["ana", "ben"])
    with project.read() as conn:
        assert assigned_transcripts(conn, "ana") == ["vsp-2"]
    assert next_transcript(project, "ana") == "vsp-2"
    assert next_transcript(project, "cy") == "vsp-1"  # not in the sample


def test_finished_assignment_falls_back_to_other_work(project, interview, second, assign):
    assign("irr", ["vsp-2"], ["ana"])
    code_every_turn(project, "ana", second)
    assert next_transcript(project, "ana") == "vsp-1"


def test_everything_finished_is_an_error(project, interview):
    code_every_turn(project, "ana", interview)
    with pytest.raises(NotFoundError, match="finished all 1 transcripts"):
        next_transcript(project, "ana")


def test_no_transcripts_is_an_error(project):
    with pytest.raises(NotFoundError, match="no transcripts"):
        next_transcript(project, "ana")


def test_blind_only_for_assigned_coders(project, interview, second, assign):
    assign("irr", ["vsp-1"], ["ana", "ben"])
    with project.read() as conn:
        assert is_blind(conn, Viewer("ana"), "vsp-1")
        assert not is_blind(conn, Viewer("ana"), "vsp-2")
        assert not is_blind(conn, Viewer("cy"), "vsp-1")
        assert not is_blind(conn, Viewer("ana", lead=True), "vsp-1")


def test_choices_report_progress(project, interview, second, assign):
    assign("irr", ["vsp-2"], ["ana"])
    CodingSession(project, "ana").tag("vsp-1", 2, ["challenge"])
    with project.read() as conn:
        choices = transcript_choices(conn, "ana")
    assert [(c.id, c.coded, c.total, c.assigned) for c in choices] == [
        ("vsp-2", 0, 2, True),
        ("vsp-1", 1, 2, False),
    ]


def test_a_lead_assignment_opens_first_until_finished(project, interview, second):
    # 'qualcode assign' (the analysis set's primary coder) counts as assigned work too:
    # `qualcode code` without a transcript opens it before unassigned transcripts.
    from qualcode.analysis.assignments import assign as assign_coder
    from qualcode.store.transcripts import load_transcript

    assign_coder(project, "ana", ["vsp-2"])
    with project.read() as conn:
        assert assigned_transcripts(conn, "ana") == ["vsp-2"]
        vsp2 = load_transcript(conn, "vsp-2")
    assert next_transcript(project, "ana") == "vsp-2"
    assert next_transcript(project, "cy") == "vsp-1"  # not assigned
    code_every_turn(project, "ana", vsp2)
    assert next_transcript(project, "ana") == "vsp-1"  # finished: other work next
