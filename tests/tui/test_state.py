"""The coding logic behind the screen, without Textual."""

import pytest
from sqlalchemy import select

from qualcode.coding.listing import list_codings
from qualcode.coding.session import CodingSession
from qualcode.errors import CodingError
from qualcode.store.schema import suggestions
from qualcode.tui.state import CodingState

pytestmark = pytest.mark.coders("ana", "ben")


def codings(project, coder="ana"):
    return [(r.segment, r.code, r.text, r.origin) for r in list_codings(project, coder=coder)]


@pytest.fixture
def state(project, interview):
    return CodingState(project, "ana", "vsp-1", suggesters=[])


def test_opens_on_first_respondent_turn(state):
    assert state.current == 2
    assert state.units == [2, 4]
    assert state.progress() == (0, 2)


def test_navigation_skips_interviewer_turns(state):
    assert state.move(1).changed == {2, 4}
    assert state.current == 4
    assert state.move(1).message == "last turn"
    state.move(-1)
    assert state.current == 2


def test_toggle_applies_then_removes(project, state):
    outcome = state.toggle("referral.hotline")
    assert outcome.changed == {2}
    whole = "Mostly the hotline. Police also bring us clients. It takes three years to trial."
    assert codings(project) == [(2, "referral.hotline", whole, "manual")]
    assert state.applied() == {"referral.hotline"}
    state.toggle("referral.hotline")
    assert codings(project) == []
    assert state.applied() == set()


def test_sentence_mode_codes_the_selected_sentences(project, state):
    state.toggle_sentence_mode()
    state.move_sentence(1)
    assert state.selection_label() == "sentence 2 of 3"
    state.toggle("referral.law_enforcement")
    state.extend_sentence()  # sentences 2-3
    state.toggle("challenge.case_length")
    assert sorted(codings(project)) == [
        (2, "challenge.case_length", "Police also bring us clients. It takes three years to trial.", "manual"),
        (2, "referral.law_enforcement", "Police also bring us clients.", "manual"),
    ]


def test_sentence_moves_cross_into_the_next_turn(state):
    state.toggle_sentence_mode()
    for _ in range(3):
        state.move_sentence(1)
    assert (state.current, state.sentence) == (4, (0, 0))
    state.move_sentence(-1)
    assert (state.current, state.sentence) == (2, (2, 2))


def test_whole_turn_coding_covers_a_sentence_so_toggle_removes_it(project, state):
    state.toggle("challenge")
    state.toggle_sentence_mode()
    state.toggle("challenge")
    assert codings(project) == []


def test_inapplicable_code_is_refused(state):
    with pytest.raises(CodingError, match="does not apply to service_provider"):
        state.toggle("pros.charging")


def test_next_uncoded_wraps_around(state):
    state.toggle("challenge")  # turn 2 coded
    state.next_uncoded()
    assert state.current == 4
    state.toggle("challenge")
    assert "is coded or marked nothing to code by ana" in state.next_uncoded().message


def test_undo_and_redo_refresh_the_turn(project, state):
    state.toggle("referral.hotline")
    assert state.undo().changed == {2}
    assert state.applied() == set()
    state.redo()
    assert state.applied() == {"referral.hotline"}
    assert codings(project)[0][1] == "referral.hotline"


def test_memo_goes_on_the_highlighted_codes_coding(project, state):
    state.toggle("referral.hotline")
    state.toggle("challenge")
    target = state.memo_target("referral.hotline")
    assert target.code_id == "referral.hotline"
    state.set_memo(target, "mentions the national hotline")
    assert [m.memo for m in state.mine(2) if m.code_id == "referral.hotline"] == ["mentions the national hotline"]
    assert state.memo_target(None).code_id == "challenge"  # the newest coding


def test_other_coders_visible_outside_blind_mode(project, interview):
    CodingSession(project, "ben").tag("vsp-1", 2, ["challenge"])
    state = CodingState(project, "ana", "vsp-1", suggesters=[])
    assert not state.blind
    assert [(m.coder, m.code_id) for m in state.others(2)] == [("ben", "challenge")]


def test_blind_mode_never_loads_other_coders(project, interview, assign):
    CodingSession(project, "ben").tag("vsp-1", 2, ["challenge"])
    assign("irr", ["vsp-1"], ["ana", "ben"])
    state = CodingState(project, "ana", "vsp-1", suggesters=[])
    assert state.blind
    assert state.others(2) == []
    assert all(m.coder == "ana" for m in state._others.get(2, []) + state.mine(2))


def test_suggestions_accept_and_reject(project, interview, stub_suggester):
    state = CodingState(project, "ana", "vsp-1", suggesters=[stub_suggester(project)])
    assert [s.code_id for s in state.suggestions()] == ["referral.hotline", "challenge.case_length"]
    state.accept()
    assert codings(project) == [(2, "referral.hotline", "hotline", "rules")]
    assert [s.code_id for s in state.suggestions()] == ["challenge.case_length"]  # applied ones drop out
    state.reject()
    assert state.suggestions() == []
    with project.read() as conn:
        rows = conn.execute(select(suggestions.c.code_id, suggestions.c.status, suggestions.c.decided_by)).all()
    assert sorted(rows) == [("challenge.case_length", "rejected", "ana"), ("referral.hotline", "accepted", "ana")]
    # A rejected suggestion stays hidden when the transcript is opened again.
    again = CodingState(project, "ana", "vsp-1", suggesters=[stub_suggester(project)])
    assert again.suggestions() == []


def test_accept_without_suggestions_is_an_error(state):
    with pytest.raises(CodingError, match="No suggestions"):
        state.accept()


def test_opening_without_transcript_uses_the_assignment(project, interview, second, assign):
    assign("irr", ["vsp-2"], ["ana"])
    assert CodingState(project, "ana", suggesters=[]).transcript.id == "vsp-2"


def test_t_t_u_U_u_u_undoes_both_codes(project, state):
    """The screen's keys t t u U u u: the last undo used to fail ('was changed since')."""
    state.toggle("referral.hotline")
    state.toggle("challenge")
    state.undo()
    state.redo()
    state.undo()
    outcome = state.undo()
    assert outcome.message == "undo: -referral.hotline"
    assert state.applied() == set() and codings(project) == []
    state.redo()
    state.redo()
    assert state.applied() == {"referral.hotline", "challenge"}


def test_undoing_an_accept_or_a_reject_brings_the_suggestion_back(project, interview, stub_suggester):
    state = CodingState(project, "ana", "vsp-1", suggesters=[stub_suggester(project)])
    state.accept()
    state.reject()
    assert state.suggestions() == []
    state.undo()  # the rejection
    assert [s.code_id for s in state.suggestions()] == ["challenge.case_length"]
    state.undo()  # the acceptance: the coding goes, the suggestion is back
    assert codings(project) == []
    assert [s.code_id for s in state.suggestions()] == ["referral.hotline", "challenge.case_length"]
    state.redo()
    state.redo()
    assert codings(project) == [(2, "referral.hotline", "hotline", "rules")] and state.suggestions() == []
    # After a restart, too: the decisions are in the store.
    again = CodingState(project, "ana", "vsp-1", suggesters=[stub_suggester(project)])
    assert again.suggestions() == []


def test_opening_the_screen_as_an_unknown_coder_is_refused(project, interview):
    with pytest.raises(CodingError, match="Unknown coder 'anna'; did you mean 'ana'"):
        CodingState(project, "anna", "vsp-1", suggesters=[])
