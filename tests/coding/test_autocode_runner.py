"""``autocode``: role scoping, storage of suggestions and codings, dry runs, re-runs."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from qualcode.coding.autocode import autocode
from qualcode.coding.autocode.parallel import match_units
from qualcode.coding.listing import list_codings
from qualcode.errors import NotFoundError
from qualcode.store.schema import codings, suggestions
from tests.coding.autocode_helpers import ROLES_YAML, add_corpus, use_rules_codebook

pytestmark = pytest.mark.coders("robot")


@pytest.fixture
def rules_project(project):
    reopened = use_rules_codebook(project)
    add_corpus(reopened)
    yield reopened
    reopened.close()


def stored(project, **where) -> list[dict]:
    with project.read() as conn:
        query = select(suggestions).order_by(suggestions.c.id)
        for column, value in where.items():
            query = query.where(getattr(suggestions.c, column) == value)
        return [dict(r._mapping) for r in conn.execute(query)]


def pairs(result) -> set[tuple[str, int, str]]:
    return {(p.transcript_id, p.ordinal, p.code_id) for p in result.proposals}


def test_codes_respondent_turns_with_role_scoping(rules_project):
    result = autocode(rules_project, dry_run=True)
    assert pairs(result) == {
        ("vsp-1", 2, "referral.hotline"),
        ("vsp-1", 2, "referral.medical"),
        ("vsp-1", 4, "housing_gap"),
        ("pros-1", 2, "charging"),
        ("pros-1", 4, "referral.medical"),
    }
    # "We charge nothing" in a service-provider turn: charging applies to prosecutors only;
    # the interviewer's "hotline" question is never coded.


def test_parent_is_dropped_when_a_child_matches(rules_project):
    result = autocode(rules_project, dry_run=True)
    assert ("pros-1", 4, "referral") not in pairs(result)  # "referral" + SANE nurse -> only the child


def test_dry_run_writes_nothing(rules_project):
    result = autocode(rules_project, dry_run=True)
    assert result.proposals and stored(rules_project) == []
    assert result.stored == 0 and result.codings_added == 0


def test_suggestions_store_evidence_and_sentence_span(rules_project):
    autocode(rules_project)
    rows = stored(rules_project, code_id="referral.hotline")
    assert len(rows) == 1
    row = rows[0]
    assert (row["source"], row["status"], row["decided_by"]) == ("rules", "open", None)
    assert row["evidence"]["rule"] == "phrase 'hotline'"
    assert row["evidence"]["matched"] == "hotline"
    assert row["evidence"]["score"] == 1.0
    assert {h["rule"] for h in row["evidence"]["hits"]} == {"phrase 'hotline'", "fuzzy 'Polaris' (>= 85)"}
    with rules_project.read() as conn:
        text = conn.execute(select(codings.c.id)).all()  # no codings were made
    assert text == []
    from qualcode.store.transcripts import load_transcript

    with rules_project.read() as conn:
        transcript = load_transcript(conn, "vsp-1")
    assert transcript.text[row["start_offset"] : row["end_offset"]] == "Mostly the hotline."


def test_rerun_replaces_open_suggestions_and_keeps_decisions(rules_project):
    first = autocode(rules_project)
    decided = stored(rules_project, code_id="referral.medical")[0]
    with rules_project.write() as conn:  # a coder's decision is a row of its own
        conn.execute(insert(suggestions).values(
            {**{k: v for k, v in decided.items() if k != "id"}, "status": "rejected", "decided_by": "ann"}
        ))
    second = autocode(rules_project)
    assert second.replaced == first.stored
    assert second.kept_decided == 1
    assert len(stored(rules_project, status="open")) == first.stored  # nothing duplicated
    assert len(stored(rules_project, status="rejected")) == 1


def test_codes_prefix_limits_the_run_and_what_it_replaces(rules_project):
    autocode(rules_project)
    before = {r["id"] for r in stored(rules_project) if not r["code_id"].startswith("referral")}
    result = autocode(rules_project, codes="referral")
    assert {p.code_id for p in result.proposals} <= {"referral", "referral.hotline", "referral.medical"}
    after = {r["id"] for r in stored(rules_project) if not r["code_id"].startswith("referral")}
    assert before == after  # other codes' suggestions untouched


def test_transcript_selection(rules_project):
    result = autocode(rules_project, ["pros-1"], dry_run=True)
    assert {p.transcript_id for p in result.proposals} == {"pros-1"}
    assert result.transcripts == ["pros-1"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"transcripts": ["nope"]}, "No transcript 'nope'"), ({"codes": "referal"}, "did you mean 'referral'")],
)
def test_unknown_names_are_refused(rules_project, kwargs, message):
    with pytest.raises(NotFoundError, match=message):
        autocode(rules_project, **kwargs)


def test_as_coder_makes_undoable_codings(rules_project):
    from qualcode.coding.session import CodingSession

    result = autocode(rules_project, as_coder="robot")
    rows = list_codings(rules_project, coder="robot")
    assert result.codings_added == len(rows) == len(result.proposals)
    assert {r.origin for r in rows} == {"rules"}
    assert all(r.confidence is not None for r in rows)
    assert stored(rules_project) == []  # codings, not suggestions
    again = autocode(rules_project, as_coder="robot")
    assert again.codings_added == 0  # same spans merge, never duplicate
    undone = CodingSession(rules_project, "robot").undo()  # the re-run logged nothing: the first run goes
    assert len(undone.removed) == len(rows)
    assert list_codings(rules_project, coder="robot") == []  # one undo takes a whole run back


def test_progress_reaches_the_total(rules_project):
    calls = []
    result = autocode(rules_project, dry_run=True, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (result.words, result.words)


def test_role_summary_counts_codes_per_turn(rules_project):
    summary = {r.role: r for r in autocode(rules_project, dry_run=True).role_summary()}
    assert summary["service_provider"].turns == 3
    assert summary["service_provider"].references == 3
    assert summary["service_provider"].max_codes_per_turn == 2
    assert summary["service_provider"].mean_codes_per_turn == pytest.approx(1.0)


def test_two_processes_give_the_same_matches(rules_project):
    codebook = rules_project.codebook
    units = [("The hotline and the emergency room.", "other"), ("A need for housing.", "other")] * 30
    allowed = {"other": frozenset(codebook.codes)}
    one = match_units(list(codebook.codes.values()), units, allowed, processes=1, chunk_words=20)
    two = match_units(list(codebook.codes.values()), units, allowed, processes=2, chunk_words=20)
    assert one == two and len(one) == 60
    assert {m.code_id for m in one[0]} == {"referral.hotline", "referral.medical"}


# -- topic focus: a crowded turn keeps its topic and drops passing mentions -----------

FOCUS_CODEBOOK = (
    "format: 1\n"
    + ROLES_YAML
    + """\
codes:
  - id: referral
    name: Referral sources
    rules: {phrases: [referral]}
    children:
      - {id: referral.hotline, name: Hotlines, rules: {phrases: [hotline]}}
      - {id: referral.medical, name: Medical, rules: {phrases: [emergency room]}}
      - {id: referral.justice, name: Justice system, rules: {phrases: [probation]}}
  - id: training
    name: Training
    rules: {phrases: [train, conference]}
  - id: funding
    name: Funding
    rules: {phrases: [fund, grant]}
"""
)

FOCUS_TURNS = [
    ("Interviewer", "Where do your cases come from?"),
    # four codes: three referral sources and one passing mention of training
    ("Respondent", "The hotline first. Then the emergency room, whose nurses we trained. Probation too."),
    ("Interviewer", "And training?"),
    # crowded too, but training has hits on two words: a second topic, kept
    ("Respondent", "The hotline, the emergency room and probation. And we train a lot, a conference a year."),
    ("Interviewer", "Anything else?"),
    # three codes: not crowded, nothing dropped
    ("Respondent", "The hotline and probation. We trained the staff."),
]
REFERRALS = {"referral.hotline", "referral.medical", "referral.justice"}


@pytest.fixture
def focus_project(project):
    from tests.helpers import add_transcript

    reopened = use_rules_codebook(project, FOCUS_CODEBOOK)
    add_transcript(reopened, "le-1", "law_enforcement", FOCUS_TURNS)
    yield reopened
    reopened.close()


def codes_by_turn(result) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for p in result.proposals:
        found.setdefault(p.ordinal, set()).add(p.code_id)
    return found


def set_autocode_settings(project, lines: str):
    from qualcode.project import Project

    config = project.root / "qualcode.toml"
    config.write_text(config.read_text(encoding="utf-8") + f"\n[autocode]\n{lines}\n", encoding="utf-8")
    project.close()
    return Project(project.root)


def test_crowded_turn_drops_a_single_off_topic_mention(focus_project):
    result = autocode(focus_project, dry_run=True)
    assert codes_by_turn(result) == {
        2: REFERRALS,  # "we trained" is one word of another topic in a four-code turn
        4: REFERRALS | {"training"},  # "train" and "conference": two words, kept
        6: {"referral.hotline", "referral.justice", "training"},  # three codes: not crowded
    }
    assert result.off_topic_dropped == 1


def test_a_codes_run_proposes_what_a_full_run_proposes(focus_project):
    # The focus looks at all of a turn's codes even when only some are autocoded.
    result = autocode(focus_project, codes="training", dry_run=True)
    assert {(p.ordinal, p.code_id) for p in result.proposals} == {(4, "training"), (6, "training")}
    assert result.off_topic_dropped == 1


def test_evaluation_predicts_what_autocode_proposes(focus_project):
    from qualcode.coding.autocode.runner import load_units
    from qualcode.coding.evaluate import rule_predictions
    from qualcode.coding.learn import LabelledTurn

    with focus_project.read() as conn:
        units, _ = load_units(conn, ["le-1"])
    turns = [LabelledTurn(u.transcript_id, u.ordinal, u.segment_id, u.role, u.text) for u in units]
    predicted = dict(zip([u.ordinal for u in units], rule_predictions(focus_project, turns), strict=True))
    assert predicted == codes_by_turn(autocode(focus_project, dry_run=True))


@pytest.mark.parametrize(
    ("settings", "ordinal", "codes"),
    [
        ("crowded_turn = 0", 2, REFERRALS | {"training"}),  # off
        ("crowded_turn = 4", 2, REFERRALS | {"training"}),  # four codes are not more than four
        ("off_topic_min_evidence = 3", 4, REFERRALS),  # two words of training are not enough
        ("crowded_turn = 2", 6, {"referral.hotline", "referral.justice"}),  # three codes now crowd
    ],
)
def test_focus_settings_come_from_qualcode_toml(focus_project, settings, ordinal, codes):
    reopened = set_autocode_settings(focus_project, settings)
    try:
        assert codes_by_turn(autocode(reopened, dry_run=True))[ordinal] == codes
    finally:
        reopened.close()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ('crowded_turn = "three"', r"\[autocode\] crowded_turn must be a whole number of at least 0; got 'thr"),
        ("crowded_turn = -1", r"crowded_turn must be a whole number of at least 0; got -1"),
        ("off_topic_min_evidence = 0", r"off_topic_min_evidence must be a whole number of at least 1; got 0"),
        ("crowded_turn = true", r"crowded_turn must be a whole number of at least 0; got True"),
    ],
)
def test_bad_focus_settings_are_refused(focus_project, settings, message):
    from qualcode.errors import ProjectError

    reopened = set_autocode_settings(focus_project, settings)
    try:
        with pytest.raises(ProjectError, match=message) as raised:
            autocode(reopened, dry_run=True)
        assert raised.value.file.endswith("qualcode.toml")
    finally:
        reopened.close()


def hit(code_id: str, position: int):
    from qualcode.coding.autocode.engine import Hit

    return Hit(code_id, "phrase", "phrase 'x'", position * 5, position * 5 + 4, position, 1.0)


def match(code_id: str, *positions: int):
    from qualcode.coding.autocode.engine import CodeMatch

    hits = tuple(hit(code_id, p) for p in positions)
    return CodeMatch(code_id, hits, len(hits))


@pytest.mark.parametrize(
    ("matches", "kept"),
    [
        # the heaviest topic keeps every code; a one-word mention of another topic goes
        ([("referral.hotline", 1), ("referral.medical", 4), ("referral.justice", 9), ("funding", 12)],
         ["referral.hotline", "referral.medical", "referral.justice"]),
        # two rules firing on one word are one word of evidence
        ([("referral.hotline", 1), ("referral.medical", 4), ("referral.justice", 9), ("funding", 12, 12)],
         ["referral.hotline", "referral.medical", "referral.justice"]),
        ([("referral.hotline", 1), ("referral.medical", 4), ("referral.justice", 9), ("funding", 12, 20)],
         ["referral.hotline", "referral.medical", "referral.justice", "funding"]),
        # topics tied on evidence are both kept; the lighter third goes
        ([("referral.hotline", 1), ("referral.medical", 4), ("training", 6, 8), ("funding", 12)],
         ["referral.hotline", "referral.medical", "training"]),
        # evidence, not the number of codes, picks the topic
        ([("referral.hotline", 1), ("referral.medical", 4), ("training", 6, 8, 10), ("funding", 12)],
         ["training"]),
    ],
)
def test_topic_focus_keeps_the_topic_and_well_evidenced_codes(matches, kept):
    from qualcode.codebook import parse_codebook
    from qualcode.coding.autocode.runner import TopicFocus

    codebook = parse_codebook(FOCUS_CODEBOOK)
    found = [match(code_id, *positions) for code_id, *positions in matches]
    assert [m.code_id for m in TopicFocus().apply(codebook, found)] == kept


def test_topic_focus_is_off_at_zero_and_for_uncrowded_turns():
    from qualcode.codebook import parse_codebook
    from qualcode.coding.autocode.runner import TopicFocus

    codebook = parse_codebook(FOCUS_CODEBOOK)
    crowded = [match("referral.hotline", 1), match("referral.medical", 2), match("referral", 3)]
    crowded.append(match("funding", 4))
    assert TopicFocus(crowded=0).apply(codebook, crowded) == crowded
    assert TopicFocus(crowded=4).apply(codebook, crowded) == crowded
    assert TopicFocus(crowded=3).apply(codebook, crowded) == crowded[:3]
