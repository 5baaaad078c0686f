"""Team mode for finish marks and memos on transcripts and codes: on the real PostgreSQL
server, a coder's own role writes its own marks and memos (through qualcode, undo
included) and the server refuses the rest (grants, row-level security, blind samples)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from qualcode.coding.finishing import set_mark
from qualcode.coding.memos import set_target_memo
from qualcode.coding.session import CodingSession
from qualcode.project import Project
from tests.security import test_team_postgres as team_mode
from tests.security.test_team_postgres import (
    _blind_sample,
    count,
    lead_sql,
    psql,
    refused,
)

team = team_mode.team  # the fixture: the lead's project and two coder roles granted by the lead

MARK_SQL = ("INSERT INTO finish_marks (transcript_id, ordinal, coder, kind, transcript_sha256, created_at) "
            "VALUES ('vsp-1', :ordinal, :coder, 'nothing', 'x', now())")
MEMO_SQL = ("INSERT INTO memos (coder, transcript_id, text, created_at, updated_at) "
            "VALUES (:coder, 'vsp-1', 'a memo', now(), now())")


def as_coder(project, monkeypatch, url: str) -> Project:
    monkeypatch.setenv("QUALCODE_DATABASE_URL", url)
    return Project(project.root)


def test_a_coder_sets_and_undoes_their_own_marks_and_memos(project, team, monkeypatch):
    (ana, url), _ = team.items()
    mine = as_coder(project, monkeypatch, url)
    session = CodingSession(mine, ana)
    set_mark(session, "vsp-1", 2, True)
    set_mark(session, "vsp-1", None, True)
    set_target_memo(session, "first\nsecond", transcript_id="vsp-1")
    set_target_memo(session, "changed", transcript_id="vsp-1")  # an update in place
    set_target_memo(session, "about hotlines", code_id="referral.hotline")
    assert count(project, "SELECT count(*) FROM finish_marks") == 2
    for _ in range(5):
        session.undo()
    assert count(project, "SELECT count(*) FROM finish_marks") + count(project, "SELECT count(*) FROM memos") == 0
    session.redo()
    assert count(project, "SELECT count(*) FROM finish_marks WHERE ordinal = 2") == 1
    mine.close()


def test_a_coder_cannot_write_anothers_marks_or_memos(project, team):
    (ana, url), (ben, _) = team.items()
    assert refused(url, MARK_SQL, {"ordinal": 2, "coder": ben}) == "42501"
    assert refused(url, MEMO_SQL, {"coder": ben}) == "42501"
    lead_sql(project, MARK_SQL, {"ordinal": 4, "coder": ben})  # ben's work, stored by the lead
    lead_sql(project, MEMO_SQL, {"coder": ben})
    with psql(url) as conn:  # row-level security: ben's rows are not ana's to change
        assert conn.execute(text("DELETE FROM finish_marks WHERE coder = :b"), {"b": ben}).rowcount == 0
        assert conn.execute(text("UPDATE memos SET text = 'x' WHERE coder = :b"), {"b": ben}).rowcount == 0
        assert conn.execute(text("DELETE FROM memos WHERE coder = :b"), {"b": ben}).rowcount == 0
        conn.execute(text(MEMO_SQL), {"coder": ana})
    # A memo's text is all a coder changes in place: not its owner, not its target.
    assert refused(url, "UPDATE memos SET coder = :b WHERE coder = current_user", {"b": ben}) == "42501"
    assert refused(url, "UPDATE memos SET transcript_id = 'vsp-2' WHERE coder = current_user") == "42501"
    assert refused(url, "UPDATE finish_marks SET ordinal = 2 WHERE coder = current_user") == "42501"
    assert count(project, "SELECT count(*) FROM finish_marks WHERE ordinal = 4") == 1
    assert count(project, "SELECT count(*) FROM memos WHERE text = 'a memo'") == 2


def test_anothers_marks_and_memos_are_hidden_on_an_open_blind_sample(project, team):
    (ana, url), (ben, _) = team.items()
    _blind_sample(project, [ana, ben])  # vsp-1 is in the open sample
    lead_sql(project, MARK_SQL, {"ordinal": 4, "coder": ben})
    lead_sql(project, MEMO_SQL, {"coder": ben})
    with psql(url) as conn:
        seen = [conn.execute(text(f"SELECT count(*) FROM {t} WHERE coder = :b"), {"b": ben}).scalar_one()
                for t in ("finish_marks", "memos")]
    assert seen == [0, 0]
    lead_sql(project, "UPDATE samples SET closed_at = now() WHERE name = 'irr'")
    with psql(url) as conn:
        assert conn.execute(text("SELECT count(*) FROM finish_marks WHERE coder = :b"), {"b": ben}).scalar_one() == 1


@pytest.mark.parametrize("sql", [MARK_SQL.replace("'nothing'", "'done'"), MARK_SQL.replace("'nothing'", "'maybe'")])
def test_the_store_refuses_a_malformed_mark(project, team, sql):
    (ana, url), _ = team.items()
    assert refused(url, sql, {"ordinal": 2, "coder": ana}) == "23514"  # done has no turn; kinds are two
