"""Team mode: what a coder's own database role can do with plain SQL (psql), on the
real PostgreSQL server. Each test connects as a coder role made for it and sends raw
SQL; the refusals come from the server (grants, row-level security, triggers)."""

from __future__ import annotations

import json
import secrets
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.coding.autocode.results import Proposal
from qualcode.coding.autocode.stored import apply_as_coder
from qualcode.coding.session import CodingSession
from qualcode.project import Project
from qualcode.store.stored_counts import count_problems, may_defer
from qualcode.store.transcripts import load_transcript, segment_ids
from tests import pg
from tests.helpers import INTERVIEW, add_transcript


@pytest.fixture
def team(database_server, project, interview):
    """The lead's project (vsp-1, vsp-2) and two coder roles granted by the lead: {name: URL}."""
    if database_server is None:
        pytest.skip(f"needs a PostgreSQL server (row-level security and roles do not exist in SQLite): set {pg.TEST_URL_ENV}")
    add_transcript(project, "vsp-2", "service_provider", INTERVIEW)
    names = [f"ana_{secrets.token_hex(4)}", f"ben_{secrets.token_hex(4)}"]
    with pg.login_role(database_server, names[0]) as first, pg.login_role(database_server, names[1]) as second:
        for name in names:
            result = CliRunner().invoke(app, ["-p", str(project.root), "db", "grant", name])
            assert result.exit_code == 0, result.output
        yield {names[0]: pg.with_user(database_server, names[0], first),
               names[1]: pg.with_user(database_server, names[1], second)}


@contextmanager
def psql(url: str):
    """A raw connection as that role, committing at the end (like psql's autocommit per block)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def refused(url: str, sql: str, params: dict | None = None) -> str:
    """The SQLSTATE with which the server refuses ``sql`` sent as that role."""
    with pytest.raises(DBAPIError) as caught, psql(url) as conn:
        conn.execute(text(sql), params or {})
    return caught.value.orig.sqlstate


def lead_sql(project, sql: str, params: dict | None = None):
    with project.write() as conn:
        return conn.execute(text(sql), params or {})


def count(project, sql: str) -> int:
    with project.read() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_a_coder_cannot_store_a_codebook_version(project, team, monkeypatch):
    (ana, url), _ = team.items()
    before = count(project, "SELECT count(*) FROM codebook_versions")
    assert refused(url, "INSERT INTO codebook_versions (hash, path, text, created_at) "
                        "VALUES ('f', 'x.yaml', 'codes: [', now())") == "42501"
    assert count(project, "SELECT count(*) FROM codebook_versions") == before
    monkeypatch.setenv("QUALCODE_DATABASE_URL", url)  # coding still works: 'db grant' stored the codebook
    tagged = CliRunner().invoke(app, ["-p", str(project.root), "tag", "vsp-1", "2", "referral.hotline", "--coder", ana])
    assert tagged.exit_code == 0, tagged.output


def _open_suggestion(project) -> int:
    return lead_sql(project, "INSERT INTO suggestions (transcript_id, segment_id, code_id, start_offset, end_offset, "
                             "source, score, evidence, status, created_at) SELECT 'vsp-1', id, 'referral.hotline', "
                             "start_offset, end_offset, 'rule', 0.9, '{}', 'open', now() FROM segments "
                             "WHERE transcript_id = 'vsp-1' AND ordinal = 2 RETURNING id").scalar_one()


def test_a_coder_cannot_rewrite_or_delete_suggestions(project, team):
    (ana, url), (ben, _) = team.items()
    suggestion = _open_suggestion(project)
    assert refused(url, "UPDATE suggestions SET code_id = 'challenge.housing'") == "42501"
    assert refused(url, "DELETE FROM suggestions") == "42501"
    decision = ("INSERT INTO suggestions (transcript_id, segment_id, code_id, start_offset, end_offset, source, "
                "evidence, status, decided_by, created_at) SELECT transcript_id, segment_id, code_id, start_offset, "
                "end_offset, source, :evidence, :status, :who, now() FROM suggestions WHERE id = :id")
    assert refused(url, decision, {"evidence": "{}", "status": "rejected", "who": ben, "id": suggestion}) == "42501"
    assert refused(url, decision, {"evidence": "{}", "status": "open", "who": ana, "id": suggestion}) == "42501"
    assert refused(url, decision, {"evidence": "[1]", "status": "rejected", "who": ana, "id": suggestion}) == "23514"
    with psql(url) as conn:  # what the coding screen does: a decision row of its own
        conn.execute(text(decision), {"evidence": "{}", "status": "rejected", "who": ana, "id": suggestion})
    assert count(project, "SELECT count(*) FROM suggestions WHERE status = 'open' AND code_id = 'referral.hotline'") == 1


FORGED = [
    ("tag", '"x"', None, 1),  # before is not an object
    ("tag", None, "[1, 2]", 1),  # after is not an object
    ("tag", None, '{"code_id": 5}', 1),  # a coding event without its code and span
    ("DROP TABLE events", None, None, None),  # not an action
    # a batch of inserted codings (store/batches.py) claiming a billion rows: its reader would build them
    ("import", None, '{"_c": 3, "n": 1000000000, "keys": ["id"], "cols": {"id": ["same", 1]}}', 1),
    # a batch without the code and span columns
    ("import", None, '{"_c": 3, "n": 1, "keys": ["id"], "cols": {"id": ["same", 1]}}', 1),
]


@pytest.mark.parametrize(("action", "before", "after", "coding"), FORGED, ids=range(len(FORGED)))
def test_a_coder_cannot_forge_event_rows(project, team, action, before, after, coding):
    (ana, url), _ = team.items()
    before_count = count(project, "SELECT count(*) FROM events")
    sql = ("INSERT INTO events (coder, at, action, transcript_id, coding_id, before, after, undone) "
           "VALUES (:coder, now(), :action, 'vsp-1', :coding, CAST(:before AS json), CAST(:after AS json), false)")
    assert refused(url, sql, {"coder": ana, "action": action, "coding": coding, "before": before, "after": after}) == "23514"
    assert count(project, "SELECT count(*) FROM events") == before_count
    result = CliRunner().invoke(app, ["-p", str(project.root), "log"])
    assert result.exit_code == 0, result.output


def test_a_coder_cannot_write_a_backwards_coding(project, team):
    (ana, url), _ = team.items()
    sql = ("INSERT INTO codings (transcript_id, segment_id, coder, code_id, start_offset, end_offset, origin, "
           "orphaned, created_at, updated_at) SELECT 'vsp-1', id, :coder, 'referral.hotline', 50, 10, 'manual', "
           "false, now(), now() FROM segments WHERE transcript_id = 'vsp-1' AND ordinal = 2")
    assert refused(url, sql, {"coder": ana}) == "23514"


def _blind_sample(project, coders: list[str]) -> None:
    for coder in coders:
        lead_sql(project, "INSERT INTO coders (name, created_at) VALUES (:c, now()) ON CONFLICT DO NOTHING", {"c": coder})
    lead_sql(project, "INSERT INTO samples (name, fraction, seed, strata, created_at) VALUES ('irr', 0.5, 1, '{}', now())")
    lead_sql(project, "INSERT INTO sample_transcripts (sample, transcript_id) VALUES ('irr', 'vsp-1')")
    for coder in coders:
        lead_sql(project, "INSERT INTO sample_coders (sample, coder) VALUES ('irr', :c)", {"c": coder})


def _visible(url: str, owner: str) -> dict[str, list[str]]:
    with psql(url) as conn:
        return {
            table: sorted(conn.execute(text(f"SELECT transcript_id FROM {table} WHERE {column} = :who"),
                                       {"who": owner}).scalars())
            for table, column in (("codings", "coder"), ("events", "coder"))
        }


def test_a_coder_cannot_read_others_codings_in_an_open_blind_sample(project, team, monkeypatch):
    (ana, ana_url), (ben, ben_url) = team.items()
    _blind_sample(project, [ana, ben])
    CodingSession(project, ben).tag("vsp-1", 2, ["referral.hotline"])  # the lead records ben's work
    CodingSession(project, ben).tag("vsp-2", 2, ["referral.hotline"])
    assert _visible(ana_url, ben) == {"codings": ["vsp-2"], "events": ["vsp-2"]}
    assert _visible(ben_url, ben) == {"codings": ["vsp-1", "vsp-2"], "events": ["vsp-1", "vsp-2"]}
    monkeypatch.setenv("QUALCODE_DATABASE_URL", ana_url)  # the CLI as ana sees the same
    listed = CliRunner().invoke(app, ["-p", str(project.root), "codings", "list", "--coder", ben, "--json"])
    assert listed.exit_code == 0, listed.output
    assert {row["transcript"] for row in json.loads(listed.stdout)} <= {"vsp-2"}
    lead_sql(project, "UPDATE samples SET closed_at = now() WHERE name = 'irr'")
    assert _visible(ana_url, ben) == {"codings": ["vsp-1", "vsp-2"], "events": ["vsp-1", "vsp-2"]}


def test_a_coder_outside_the_sample_reads_everything(project, team):
    (ana, ana_url), (ben, _) = team.items()
    _blind_sample(project, [ben])
    CodingSession(project, ben).tag("vsp-1", 2, ["referral.hotline"])
    assert _visible(ana_url, ben)["codings"] == ["vsp-1"]


def test_the_coder_cannot_close_the_sample_or_leave_it(project, team):
    (ana, ana_url), (ben, _) = team.items()
    _blind_sample(project, [ana, ben])
    assert refused(ana_url, "UPDATE samples SET closed_at = now()") == "42501"
    assert refused(ana_url, "DELETE FROM sample_coders WHERE coder = current_user") == "42501"


# -- the search index and saved queries: the lead's; a coder reads them ---------------------------


def _cli(project, url, monkeypatch, *args):
    """The CLI as the coder's role; the lead's URL (the project's) is back afterwards."""
    with monkeypatch.context() as patched:
        patched.setenv("QUALCODE_DATABASE_URL", url)
        return CliRunner().invoke(app, ["-p", str(project.root), *args])


def _one_line(result, *fragments):
    assert result.exit_code == 1, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.output, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("sql", [
    "INSERT INTO search_indexed (transcript_id, marker, text_digest) VALUES ('x', 'm', 'd')",
    "DELETE FROM search_postings",
    "UPDATE search_indexed SET marker = 'forged'",
    "INSERT INTO saved_queries (name, kind, spec, created_at) VALUES ('q', 'search', '{}', now())",
    "DELETE FROM saved_queries",
])
def test_a_coder_cannot_write_the_search_index_or_saved_queries(project, team, sql):
    (_, url), _ = team.items()
    assert refused(url, sql) == "42501"


def test_a_coder_searches_the_index_the_lead_built(project, team, monkeypatch):
    (_, url), _ = team.items()
    assert CliRunner().invoke(app, ["-p", str(project.root), "search", "hotline"]).exit_code == 0  # the lead's refresh
    found = _cli(project, url, monkeypatch, "search", "hotline", "--json")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["total"] == 2


def test_a_coder_on_a_stale_index_is_told_the_lead_must_refresh_it(project, team, monkeypatch):
    (_, url), _ = team.items()
    before = count(project, "SELECT count(*) FROM search_indexed")
    line = _one_line(_cli(project, url, monkeypatch, "search", "hotline"), "out of date (2 transcript(s)",
                     "only the lead refreshes it", "qualcode search --reindex")
    assert "hotline" not in line.casefold().replace("search hotline", "")
    assert count(project, "SELECT count(*) FROM search_indexed") == before == 0
    add_transcript(project, "vsp-3", "service_provider", INTERVIEW)  # the lead imports after refreshing
    assert CliRunner().invoke(app, ["-p", str(project.root), "search", "hotline"]).exit_code == 0
    add_transcript(project, "vsp-4", "service_provider", INTERVIEW)
    _one_line(_cli(project, url, monkeypatch, "query", "referral.hotline"), "out of date (1 transcript(s)")


def test_saved_queries_are_the_leads_and_coders_run_them(project, team, monkeypatch):
    (_, url), _ = team.items()
    assert CliRunner().invoke(app, ["-p", str(project.root), "search", "hotline", "--save", "shared"]).exit_code == 0
    _one_line(_cli(project, url, monkeypatch, "search", "hotline", "--save", "mine"), "saved queries are the lead's")
    _one_line(_cli(project, url, monkeypatch, "query", "delete", "shared"), "saved queries are the lead's")
    ran = _cli(project, url, monkeypatch, "query", "run", "shared", "--json")
    assert ran.exit_code == 0, ran.output
    assert count(project, "SELECT count(*) FROM saved_queries") == 1


# -- rows written before 'db grant' put the checks in place: re-validated, never accepted -----------


def _grant(project, *args):
    return CliRunner().invoke(app, ["-p", str(project.root), "db", "grant", *args])


def test_db_grant_check_passes_on_what_qualcode_itself_writes(project, team):
    (ana, _), (ben, _) = team.items()
    session = CodingSession(project, ben)
    session.tag("vsp-1", 2, ["referral.hotline"])
    session.tag("vsp-2", 2, ["referral.hotline"])
    session.undo()
    session.redo()
    session.untag("vsp-1", 2, ["referral.hotline"])
    csv = project.root / "bulk.csv"  # a bulk write: its inserts are logged as one batch event
    csv.write_text(f"transcript,coder,code,segment,memo\nvsp-1,{ben},challenge.housing,4,\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["-p", str(project.root), "codings", "import", str(csv)]).exit_code == 0
    assert count(project, "SELECT count(*) FROM events WHERE after::jsonb ->> '_c' = '3'") == 1
    assert CliRunner().invoke(app, ["-p", str(project.root), "transcripts", "remove", "vsp-2", "--yes"]).exit_code == 0
    assert CliRunner().invoke(app, ["-p", str(project.root), "transcripts", "restore", "vsp-2"]).exit_code == 0
    result = _grant(project, ana, "--check")
    assert result.exit_code == 0, result.output
    assert "No stored row breaks the coder checks" in result.stdout
    assert _grant(project, ana).exit_code == 0


def _forge(project) -> None:
    """Rows a coder's role could write before the checks existed (the lead writes them here)."""
    import hashlib

    broken = "codes: [unclosed"
    lead_sql(project, "INSERT INTO events (coder, at, action, transcript_id, coding_id, before, after, undone) "
                      "VALUES ('x', now(), 'DROP TABLE', 'vsp-1', NULL, NULL, NULL, false), "
                      "('x', now(), 'tag', 'vsp-1', 7, NULL, CAST('{\"code_id\": 5}' AS json), false)")
    lead_sql(project, "INSERT INTO codebook_versions (hash, path, text, created_at) VALUES (:h, 'x.yaml', :t, now())",
             {"h": hashlib.sha256(broken.encode()).hexdigest(), "t": broken})
    lead_sql(project, "INSERT INTO codings (transcript_id, segment_id, coder, code_id, start_offset, end_offset, origin, "
                      "orphaned, created_at, updated_at) SELECT 'vsp-1', id, :c, 'referral.hotline', 9, 3, 'manual', "
                      "false, now(), now() FROM segments WHERE transcript_id = 'vsp-1' AND ordinal = 2",
             {"c": next(iter(project_coders(project)))})


def project_coders(project) -> list[str]:
    with project.read() as conn:
        return list(conn.execute(text("SELECT name FROM coders ORDER BY name")).scalars())


def test_db_grant_refuses_while_forged_rows_are_stored_and_check_lists_them(project, team, database_server):
    _forge(project)
    newcomer = f"cy_{secrets.token_hex(4)}"
    with pg.login_role(database_server, newcomer):
        result = _grant(project, newcomer)
        assert result.exit_code == 1, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.output, result.stderr
        for fragment in ("db grant refused", "holds 4 row(s)", "1 event(s) with an action",
                         "1 coding event(s) without the code and span", "1 coding(s) outside 0 <= start < end",
                         "1 codebook version(s) that do not parse", f"db grant {newcomer} --check"):
            assert fragment in lines[0], lines[0]
        with project.read() as conn:  # nothing was granted
            granted = conn.execute(text("SELECT has_table_privilege(:r, 'codings', 'INSERT')"), {"r": newcomer}).scalar()
        assert granted is False
        listed = _grant(project, newcomer, "--check")
        assert listed.exit_code == 1
        assert "1 coding(s) outside 0 <= start < end: id " in listed.stdout
        assert "codebook version(s) that do not parse: id " in listed.stdout


@pytest.mark.parametrize("sql", [
    "INSERT INTO code_turns (coder, code_id, transcript_id, turns) VALUES (:me, 'referral.hotline', 'vsp-2', 9)",
    "UPDATE code_turns SET turns = turns + 1",
    "DELETE FROM coder_turns",
    "INSERT INTO coder_turns (coder, transcript_id, segment_id, is_interviewer, codings) VALUES (:me, 'vsp-2', 1, false, 1)",
    # The bulk write's switch: a coder who could set it would write codings left uncounted.
    "INSERT INTO counts_deferred (coder, transcript_id) VALUES (:me, 'vsp-2')",
])
def test_a_coder_writes_the_stored_counts_only_through_codings(project, team, sql, monkeypatch):
    """store/stored_counts.py: the trigger on codings runs as the lead; the tables refuse the coder."""
    (ana, ana_url), _ = team.items()
    assert refused(ana_url, sql, {"me": ana}) == "42501"
    monkeypatch.setenv("QUALCODE_DATABASE_URL", ana_url)  # the coder's own tags keep them right
    for args in (["tag", "vsp-2", "2", "referral.hotline"], ["tag", "vsp-2", "4", "challenge.housing"],
                 ["untag", "vsp-2", "2", "referral.hotline"]):
        result = CliRunner().invoke(app, ["-p", str(project.root), *args, "--coder", ana])
        assert result.exit_code == 0, result.output
    monkeypatch.delenv("QUALCODE_DATABASE_URL")
    with project.read() as conn:
        assert count_problems(conn) == []
    assert count(project, f"SELECT count(*) FROM code_turns WHERE coder = '{ana}'") == 1


def test_a_coders_bulk_write_is_counted_by_the_triggers(project, team, monkeypatch):
    """autocode --as as the coder's own role: not allowed the switch (may_defer), so its
    parts are counted row by row, and right; the lead's bulk writes use the switch."""
    (ana, ana_url), _ = team.items()
    with project.read() as conn:
        transcript, ids = load_transcript(conn, "vsp-2"), segment_ids(conn, "vsp-2")
        assert may_defer(conn) is True
    proposals = [Proposal("vsp-2", s.ordinal, ids[s.ordinal], "service_provider", "referral.hotline", start, start + 6,
                          1.0, {}) for s in transcript.segments if not s.is_interviewer for start in (s.start, s.end - 6)]
    monkeypatch.setenv("QUALCODE_DATABASE_URL", ana_url)
    as_ana = Project(project.root)
    try:
        with as_ana.read() as conn:
            assert may_defer(conn) is False
        assert apply_as_coder(as_ana, ana, proposals) == (4, False)
    finally:
        as_ana.close()
    monkeypatch.delenv("QUALCODE_DATABASE_URL")
    with project.read() as conn:
        assert count_problems(conn) == []
    assert count(project, f"SELECT turns FROM code_turns WHERE coder = '{ana}'") == 2
    assert count(project, f"SELECT sum(codings) FROM coder_turns WHERE coder = '{ana}'") == 4


def test_the_stored_counts_are_blind_like_the_codings(project, team, monkeypatch):
    (ana, ana_url), (ben, ben_url) = team.items()
    _blind_sample(project, [ana, ben])
    CodingSession(project, ben).tag("vsp-1", 2, ["referral.hotline"])
    CodingSession(project, ben).tag("vsp-2", 2, ["referral.hotline"])
    for table in ("code_turns", "coder_turns"):
        with psql(ana_url) as conn:
            seen = sorted(conn.execute(text(f"SELECT transcript_id FROM {table} WHERE coder = :b"), {"b": ben}).scalars())
        assert seen == ["vsp-2"]
        with psql(ben_url) as conn:
            seen = sorted(conn.execute(text(f"SELECT transcript_id FROM {table} WHERE coder = :b"), {"b": ben}).scalars())
        assert seen == ["vsp-1", "vsp-2"]
