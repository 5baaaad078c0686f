"""Blind double-coding audit: while a sample is open, a coder assigned to it sees nothing of
the other coders' codings on its transcripts, through any channel; closing it lifts that.

Channels: the coding screen's state, listings, agreement, disagreements, reconciliation,
exports (REFI-QDA, coder bundles, codings spreadsheets), quotes, tallies, the report,
model training and model suggestions. The lead is never blind; an unknown viewer is refused.
"""

from __future__ import annotations

import pytest

from qualcode.agreement.disagreements import find_disagreements
from qualcode.agreement.project import project_agreement
from qualcode.agreement.sampling import create_sample
from qualcode.coding.blind import BlindError, Viewer, close_sample
from qualcode.coding.listing import list_codings
from qualcode.coding.session import CodingSession
from qualcode.interop.bundles import export_coder_bundle
from qualcode.interop.qdpx_export import export_qdpx
from qualcode.interop.spreadsheets import export_codings
from qualcode.tally.frequencies import tally
from qualcode.tui.state import CodingState
from tests.helpers import INTERVIEW, add_transcript, set_lead

pytestmark = pytest.mark.coders("ana", "ben", "lead")

OTHER = [("Interviewer", "Any gaps?"), ("Respondent", "Housing. The hotline helps.")]


@pytest.fixture
def study(project, monkeypatch):
    """vsp-1 in open sample 'irr' (ana, ben), vsp-2 outside it; ana and ben coded both."""
    add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
    add_transcript(project, "vsp-2", "service_provider", OTHER)
    set_lead(project, "lead")
    for coder, code in (("ana", "referral.hotline"), ("ben", "challenge.housing")):
        session = CodingSession(project, coder)
        session.tag("vsp-1", 2, [code])
        session.tag("vsp-1", 4, [code])
        session.tag("vsp-2", 2, [code])
    create_sample(project, "irr", fraction=0.5, coders=["ana", "ben"], seed=1)
    monkeypatch.setenv("QUALCODE_CODER", "ana")
    return project


def sampled(project):
    from qualcode.agreement.sampling import get_sample

    return get_sample(project, "irr").transcript_ids


def as_(monkeypatch, name):
    if name is None:
        monkeypatch.delenv("QUALCODE_CODER", raising=False)
    else:
        monkeypatch.setenv("QUALCODE_CODER", name)


CHANNELS = {
    "codings list --coder ben": lambda p, t: list_codings(p, coder="ben"),
    "codings list": lambda p, t: list_codings(p),
    "agreement": lambda p, t: project_agreement(p, ["ana", "ben"], sample="irr"),
    "disagreements": lambda p, t: find_disagreements(p, ["ana", "ben"], sample="irr"),
    "export qdpx": lambda p, t: export_qdpx(p, t / "x.qdpx"),
    "export coder ben": lambda p, t: export_coder_bundle(p, "ben", t / "ben.qcb"),
    "codings export": lambda p, t: export_codings(p, coder="ben"),
    "tally --coder ben": lambda p, t: tally(p, "challenge", coder="ben"),
}


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_a_blind_coder_is_refused_every_channel_until_the_sample_closes(study, tmp_path, monkeypatch, channel):
    read = CHANNELS[channel]
    with pytest.raises(BlindError, match="codings by ben on transcripts of sample 'irr', which ana codes blind"):
        read(study, tmp_path)
    as_(monkeypatch, "lead")
    read(study, tmp_path)  # the lead is not blind
    close_sample(study, "irr")
    as_(monkeypatch, "ana")
    read(study, tmp_path)  # closed: ana sees ben's codings


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_an_unknown_viewer_is_refused_while_a_sample_is_open(study, tmp_path, monkeypatch, channel):
    as_(monkeypatch, None)
    with pytest.raises(BlindError, match="it is not known who you are: set QUALCODE_CODER=NAME"):
        CHANNELS[channel](study, tmp_path)


def test_a_coder_outside_the_sample_and_own_codings_are_not_hidden(study, monkeypatch):
    assert {r.transcript for r in list_codings(study, coder="ana")} == {"vsp-1", "vsp-2"}  # her own
    as_(monkeypatch, "cy")  # in no open sample
    assert len(list_codings(study, coder="ben")) == 3


def test_the_screen_hides_other_coders_until_the_sample_closes(study):
    target = sampled(study)[0]
    state = CodingState(study, "ana", target, suggesters=[])
    assert state.blind and all(not state.others(o) for o in state.units)
    lead = CodingState(study, "lead", target, suggesters=[])
    assert not lead.blind and any(lead.others(o) for o in lead.units)
    close_sample(study, "irr", Viewer("lead", lead=True))
    state.refresh()  # the open screen picks up the closing
    assert not state.blind and any(m.coder == "ben" for o in state.units for m in state.others(o))


def test_only_the_lead_closes_a_sample_and_only_once(study, monkeypatch):
    with pytest.raises(BlindError, match=r"only the lead \(lead\) closes a sample; you are ana"):
        close_sample(study, "irr")
    as_(monkeypatch, "lead")
    closed = close_sample(study, "irr")
    assert closed.closed_by == "lead"
    with pytest.raises(BlindError, match="sample 'irr' is already closed"):
        close_sample(study, "irr")


def test_training_skips_open_samples_and_blind_coders_get_no_model_suggestion_learned_there(study, monkeypatch):
    from qualcode.coding.autocode.stored import StoredSuggester
    from qualcode.coding.learn import coder_turns, train

    sealed = set(sampled(study))
    assert not sealed & {t.transcript_id for t in coder_turns(study, "ben")}
    close_sample(study, "irr", Viewer("lead", lead=True))
    assert sealed <= {t.transcript_id for t in coder_turns(study, "ben")}  # closed: learned from again
    result = train(study, "ben", min_positive=1)
    assert sealed <= set(result.report.trained_on)
    # A new sample over the same transcripts: the model learned ben's judgement there.
    create_sample(study, "irr-2", fraction=0.5, coders=["ana", "ben"], seed=1)
    transcript = study_transcript(study, sorted(sealed)[0])
    store_model_suggestion(study, transcript, result.model_id)
    suggester = StoredSuggester(study)

    def model_suggestions(coder):
        return [s for seg in transcript.respondent_segments for s in suggester.suggest(transcript, seg, coder)
                if s.source == "model"]

    assert model_suggestions("ana") == []  # blind: the model learned ben's codings on this transcript
    assert model_suggestions("lead")  # the same suggestions exist; the lead sees them
    from qualcode.coding.review_queue import list_suggestions

    as_(monkeypatch, "ana")  # qualcode suggest list, as ana
    assert [r for r in list_suggestions(study, source="model", coder="cy") if r.transcript in sealed] == []
    as_(monkeypatch, "lead")
    assert [r for r in list_suggestions(study, source="model", coder="cy") if r.transcript in sealed]


def study_transcript(project, transcript_id):
    from qualcode.store.transcripts import load_transcript

    with project.read() as conn:
        return load_transcript(conn, transcript_id)


def store_model_suggestion(project, transcript, model_id):
    """A confident suggestion of that model on the transcript's first respondent turn."""
    from sqlalchemy import insert

    from qualcode.store.codings import now
    from qualcode.store.schema import suggestions
    from qualcode.store.transcripts import segment_ids

    segment = transcript.respondent_segments[0]
    with project.write() as conn:
        conn.execute(insert(suggestions).values(
            transcript_id=transcript.id, segment_id=segment_ids(conn, transcript.id)[segment.ordinal],
            code_id="challenge.housing", start_offset=segment.start, end_offset=segment.end, source="model",
            score=0.95, evidence={"model": f"model {model_id} from ben", "model_id": model_id, "threshold": 0.5},
            status="open", created_at=now()))
