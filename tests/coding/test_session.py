"""The coding core: role checks, spans, merging of overlaps, memos."""

from __future__ import annotations

import pytest

from qualcode.coding.listing import list_codings, progress
from qualcode.coding.session import CodingSession
from qualcode.errors import CodingError, NotFoundError
from qualcode.project import Project
from tests.helpers import code_interviewer_turns

pytestmark = pytest.mark.coders("ana", "ben")


def codings_of(project, coder="ana"):
    return [(r.code, r.start, r.end) for r in list_codings(project, coder=coder)]


def test_tag_whole_segment(project, interview):
    seg = interview.segments[1]
    result = CodingSession(project, "ana").tag("vsp-1", 2, ["referral.hotline"])
    assert [(r.start_offset, r.end_offset) for r in result.added] == [(seg.start, seg.end)]
    rows = list_codings(project, coder="ana")
    assert rows[0].text == interview.text[seg.start : seg.end]
    assert rows[0].segment == 2 and rows[0].origin == "manual"


def test_tag_by_phrase_gives_exact_span(project, interview):
    CodingSession(project, "ana").tag("vsp-1", 2, ["challenge.case_length"], text="three years to trial")
    (row,) = list_codings(project)
    assert row.text == "three years to trial"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("pros.charging", "does not apply to service_provider"),
        ("challenge.caselength", "challenge.case_length"),  # did-you-mean
    ],
)
def test_refuses_codes_outside_role_or_codebook(project, interview, code, message):
    with pytest.raises((CodingError, NotFoundError), match=message):
        CodingSession(project, "ana").tag("vsp-1", 2, [code])
    assert list_codings(project) == []


def test_refuses_span_outside_segment(project, interview):
    seg = interview.segments[1]
    with pytest.raises(CodingError, match="not inside segment 2"):
        CodingSession(project, "ana").tag("vsp-1", 2, ["referral"], span=(seg.start, seg.end + 5))


def test_unknown_segment_and_transcript(project, interview):
    session = CodingSession(project, "ana")
    with pytest.raises(NotFoundError, match="no segment 9; segments are 1..4"):
        session.tag("vsp-1", 9, ["referral"])
    with pytest.raises(NotFoundError, match="did you mean 'vsp-1'"):
        session.tag("vsp-2", 2, ["referral"])


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ((0, 10), (5, 20), [(0, 20)]),  # overlap merges to the union
        ((0, 10), (2, 8), [(0, 10)]),  # contained: unchanged
        ((0, 10), (10, 20), [(0, 10), (10, 20)]),  # touching is not overlapping
        ((0, 5), (30, 40), [(0, 5), (30, 40)]),
    ],
)
def test_overlapping_spans_of_one_code_merge(project, interview, first, second, expected):
    base = interview.segments[1].start
    session = CodingSession(project, "ana")
    session.tag("vsp-1", 2, ["referral"], span=(base + first[0], base + first[1]))
    session.tag("vsp-1", 2, ["referral"], span=(base + second[0], base + second[1]))
    assert codings_of(project) == [("referral", base + a, base + b) for a, b in expected]


def test_a_span_bridging_two_codings_merges_all_three(project, interview):
    base = interview.segments[1].start
    session = CodingSession(project, "ana")
    session.tag("vsp-1", 2, ["referral"], span=(base, base + 5))
    session.tag("vsp-1", 2, ["referral"], span=(base + 10, base + 15))
    session.tag("vsp-1", 2, ["referral"], span=(base + 3, base + 12))
    assert codings_of(project) == [("referral", base, base + 15)]


def test_other_coder_and_other_code_do_not_merge(project, interview):
    CodingSession(project, "ana").tag("vsp-1", 2, ["referral"])
    CodingSession(project, "ben").tag("vsp-1", 2, ["referral"])
    CodingSession(project, "ana").tag("vsp-1", 2, ["referral.hotline"])
    assert len(list_codings(project)) == 3


def test_untag_and_memo(project, interview):
    session = CodingSession(project, "ana")
    added = session.tag("vsp-1", 4, ["challenge.housing"]).added[0]
    session.set_memo(added.id, "key quote")
    assert list_codings(project)[0].memo == "key quote"
    session.untag("vsp-1", 4, ["challenge.housing"])
    assert list_codings(project) == []
    with pytest.raises(CodingError, match="nothing removed"):
        session.untag("vsp-1", 4, ["challenge.housing"])


def test_memo_on_another_coders_coding_is_refused(project, interview):
    added = CodingSession(project, "ana").tag("vsp-1", 4, ["challenge.housing"]).added[0]
    with pytest.raises(CodingError, match="belongs to ana"):
        CodingSession(project, "ben").set_memo(added.id, "mine now")


def test_progress_counts_respondent_segments(project, interview):
    session = CodingSession(project, "ana")
    session.tag("vsp-1", 2, ["referral", "referral.hotline"])
    assert [r.to_dict() for r in progress(project)] == [
        {"coder": "ana", "transcript": "vsp-1", "assigned": "", "coded": 1, "handled": 1, "total": 2, "percent": 50.0,
         "done": False, "finished": False, "stale_marks": 0}
    ]


# -- interviewer turns are context, not data ------------------------------------------


def test_tagging_an_interviewer_turn_is_refused_by_default(project, interview):
    with pytest.raises(CodingError, match="turn 1 of 'vsp-1' is an interviewer turn.*code_interviewer_turns = true"):
        CodingSession(project, "ana").tag("vsp-1", 1, ["referral"])
    assert list_codings(project) == []


def test_a_project_may_code_interviewer_turns_and_tallies_then_say_so(project, interview):
    from qualcode.tally import tally
    from qualcode.tally.crosstab import crosstab

    reopened = code_interviewer_turns(project, "true")
    reopened.close()
    reopened = Project(project.root)  # read from qualcode.toml, as a new command would
    CodingSession(reopened, "ana").tag("vsp-1", 1, ["referral.hotline"])
    assert [r.segment for r in list_codings(reopened)] == [1]
    result = tally(reopened, "referral", coder="ana")
    assert result.groups[0].total == 1
    assert any("Interviewer turns are coded" in note for note in result.notes)
    assert any("Interviewer turns are coded" in note for note in crosstab(reopened, "referral", "role", coder="ana").notes)
    reopened.close()


def test_tallies_carry_no_interviewer_note_by_default(project, interview):
    from qualcode.tally import tally

    CodingSession(project, "ana").tag("vsp-1", 2, ["referral.hotline"])
    assert not any("Interviewer" in note for note in tally(project, "referral", coder="ana").notes)


def test_the_setting_must_be_true_or_false(project, interview):
    from qualcode.errors import ProjectError

    code_interviewer_turns(project, '"yes"')
    with pytest.raises(ProjectError, match="code_interviewer_turns must be true or false, got 'yes'"):
        CodingSession(project, "ana").tag("vsp-1", 1, ["referral"])
