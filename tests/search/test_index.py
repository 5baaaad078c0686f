"""The index keeps in step with imports, --replace and removals by itself, keys words
as the autocoder does, and agrees with a plain scan of the turns (property test)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.search.engine import SearchOptions, search
from qualcode.search.index import SearchError, refresh
from qualcode.transcripts.model import Transcript, Turn, render
from tests.helpers import add_transcript


def totals(project, pattern):
    return search(project, pattern, SearchOptions()).total


def _replace(project, transcript_id, turns):
    from qualcode.store.transcripts import replace_transcript

    text, segments = render([Turn(s, t) for s, t in turns], {"Interviewer"})
    transcript = Transcript(id=transcript_id, title=transcript_id, role="service_provider", site="A", text=text,
                            segments=segments, format="text", source_path="x.txt", sha256="changed")
    with project.write() as conn:
        replace_transcript(conn, transcript)


def test_index_follows_new_replaced_and_removed_transcripts(study):
    from qualcode.store.transcripts import delete_transcript

    assert totals(study, "trafficking") == 0
    add_transcript(study, "new-1", "service_provider", [("Respondent", "Labor trafficking cases.")])
    assert totals(study, "trafficking") == 1
    _replace(study, "new-1", [("Respondent", "Sex trafficking and labor trafficking.")])
    assert totals(study, "trafficking") == 2
    with study.write() as conn:
        delete_transcript(conn, "new-1")
    assert totals(study, "trafficking") == 0
    assert refresh(study).indexed == 0  # nothing left to do


def test_refresh_reports_what_it_did(study):
    first = refresh(study)
    assert (first.indexed, first.dropped) == (3, 0)
    assert (refresh(study).indexed, refresh(study, rebuild=True).indexed) == (0, 3)


@pytest.mark.parametrize("limit", [1, 2])
def test_refresh_with_a_limit_indexes_that_many_and_says_how_many_are_left(study, limit):
    # the coding screen indexes one transcript per step between keys: each step leaves
    # an index whose hits, with the rest searched in their text, are a full refresh's
    from qualcode.store.search import indexed_markers

    expected = search(study, "housing", SearchOptions(), refresh_index=False).to_dict()
    left = 3
    while left:
        report = refresh(study, limit=limit)
        assert (report.indexed, report.left) == (min(limit, left), max(0, left - limit))
        left = report.left
        with study.read() as conn:
            assert len(indexed_markers(conn)) == 3 - left
        assert search(study, "housing", SearchOptions(), refresh_index=False).to_dict() == expected
    assert search(study, "housing", SearchOptions()).to_dict() == expected
    assert refresh(study, limit=limit).to_dict() == {"indexed": 0, "dropped": 0, "left": 0}


def test_text_changed_behind_the_markers_back_is_refused(study):
    from sqlalchemy import update

    from qualcode.store.schema import transcripts

    refresh(study)
    with study.write() as conn:
        conn.execute(update(transcripts).where(transcripts.c.id == "pros-1").values(text="x" * 200))
    with pytest.raises(SearchError, match="out of step .*--reindex"):
        search(study, "housing", SearchOptions(transcripts=("pros-1",)))
    refresh(study, rebuild=True)
    assert totals(study, "housing") == 3


def test_keys_are_the_autocoders():
    from qualcode.coding.autocode.lemmas import LemmaIndex, make_nlp
    from qualcode.search.lemmas import key

    reference = LemmaIndex(make_nlp())
    for word in ["referrals", "referred", "Housing", "trainings", "agendas", "arrival", "goal", "hospital",
                 "Visas", "women", "ran", "survivor’s", "Rodriguez"]:
        assert key(word) == reference.key(word), word


WORDS = ["house", "housing", "houses", "trust", "trusted", "shelter", "visa", "visas", "the", "police"]


@given(st.lists(st.tuples(st.booleans(), st.lists(st.sampled_from(WORDS), min_size=1, max_size=8)),
                min_size=1, max_size=5),
       st.sampled_from(WORDS))
def test_lemma_search_agrees_with_a_plain_scan(project, turns, word):
    """Model: every word of a respondent turn whose key equals the pattern's key."""
    from qualcode.search.lemmas import key

    spoken = [("Interviewer" if asks else "Respondent", " ".join(words) + ".") for asks, words in turns]
    with project.write() as conn:
        from qualcode.store.transcripts import delete_transcript

        delete_transcript(conn, "p-1")
    add_transcript(project, "p-1", "service_provider", spoken)
    expected = sum(1 for asks, words in turns if not asks for w in words if key(w) == key(word))
    assert totals(project, word) == expected


ALPHABET = "aAbB1_- '.\t\u2010é"


@st.composite
def turns_of(draw):
    """A text and turns over it: cut anywhere (mid-word too), some text outside every turn."""
    text = draw(st.text(ALPHABET, max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=8)))
    spans = [(n + 1, draw(st.booleans()), a, b) for n, (a, b) in enumerate(zip(cuts[::2], cuts[1::2], strict=False))]
    return text, spans


@given(turns_of(), st.data())
def test_positions_of_only_the_wanted_words_are_the_indexers(turns, data):
    """Model: the indexer's postings (every word keyed in order), kept for the wanted keys."""
    from qualcode.search.index import postings_for, postings_of

    text, spans = turns
    every = postings_of(text, spans)
    keys = sorted({key for key, _ in every} | {"zz"})
    wanted = set(data.draw(st.lists(st.sampled_from(keys), max_size=3)))
    assert postings_for(text, spans, wanted) == {k: v for k, v in every.items() if k[0] in wanted}


def test_refresh_looks_again_when_another_process_indexed_first(study, monkeypatch):
    """On a server, a concurrent refresh makes our insert collide: look again, not fail."""
    from sqlalchemy.exc import IntegrityError

    import qualcode.search.index as index

    real, calls = index._rebuild, []

    def collide_once(conn, rebuild, limit=None):
        calls.append(rebuild)
        if len(calls) == 1:
            real(conn, rebuild, limit)  # what the other process wrote (rolled back here with our transaction)
            raise IntegrityError("INSERT", {}, Exception("duplicate key"))
        return real(conn, rebuild, limit)

    monkeypatch.setattr(index, "_rebuild", collide_once)
    assert refresh(study).indexed == 3
    assert len(calls) == 2
    assert totals(study, "housing") == 4


def test_refresh_gives_up_with_a_message(study, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    import qualcode.search.index as index

    def always(conn, rebuild, limit=None):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(index, "_rebuild", always)
    with pytest.raises(SearchError, match="Another process kept re-indexing"):
        refresh(study)


def test_a_very_long_word_is_indexed_and_found(study):
    """Keys longer than the index column are cut the same way for text and pattern."""
    long_word = "x" * 150 + "y" * 150
    add_transcript(study, "long-1", "service_provider", [("Respondent", f"See {long_word} here.")])
    assert totals(study, long_word) == 1
    assert totals(study, "y" * 300) == 0


def test_a_store_from_before_the_marker_index_gets_it_and_the_freshness_check_uses_it(tmp_path):
    """Every search compares each transcript's marker with the index's. On SQLite the
    marker's imported_at is stored after the text, so without a covering index the check
    reads every transcript's text (about 15 ms per thousand transcripts of 10,000 words)."""
    from datetime import datetime

    from sqlalchemy import inspect, text

    from qualcode.store import HEAD, open_engine, sqlite_url, upgrade
    from qualcode.store.migrations import MIGRATIONS
    from qualcode.store.schema import schema_version

    engine = open_engine(sqlite_url(tmp_path / "q.db"))
    upgrade(engine)
    step = next(m for m in MIGRATIONS if m.name.startswith("index transcript markers"))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_transcripts_marker")
        conn.execute(schema_version.delete())
        conn.execute(schema_version.insert().values(version=step.version - 1, name="older", applied_at=datetime.now()))
    assert step.version in [m.version for m in upgrade(engine)]
    with engine.connect() as conn:
        columns = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("transcripts")}
        assert columns["ix_transcripts_marker"] == ["id", "sha256", "imported_at"]
        plan = conn.execute(text("EXPLAIN QUERY PLAN SELECT id, sha256, imported_at FROM transcripts")).all()
        assert "COVERING INDEX ix_transcripts_marker" in " ".join(str(row[-1]) for row in plan)
        from qualcode.store.migrations import current_version

        assert current_version(conn) == HEAD


# -- searching without writing (the coding screen's F): never a stale or missing hit ------

IDS = ["s-1", "s-2", "s-3"]
SPOKEN = st.lists(st.tuples(st.booleans(), st.lists(st.sampled_from(WORDS), min_size=1, max_size=6)),
                  min_size=1, max_size=4)
STEPS = st.lists(st.tuples(st.sampled_from(["put", "delete", "index"]), st.sampled_from(IDS), SPOKEN),
                 min_size=1, max_size=6)
PATTERNS = [("house", "lemma"), ("visas", "lemma"), ("the police", "phrase"), ("trust NEAR/2 shelter", "lemma"),
            ("hous", "fuzzy"), (r"\bvisas?\b", "regex")]


def _put(project, transcript_id: str, spoken, version: int) -> None:
    """Import or replace a transcript (a new source digest, so a new index marker)."""
    from qualcode.store.transcripts import insert_transcript, replace_transcript, transcript_row

    turns = [Turn("Interviewer" if asks else "Respondent", " ".join(words) + ".") for asks, words in spoken]
    text, segments = render(turns, {"Interviewer"})
    transcript = Transcript(id=transcript_id, title=transcript_id, role="service_provider", site="A", text=text,
                            segments=segments, format="text", source_path="x.txt", sha256=f"v{version}")
    with project.write() as conn:
        (replace_transcript if transcript_row(conn, transcript_id) else insert_transcript)(conn, transcript)


def _index_rows(project):
    from qualcode.store import search as store

    with project.read() as conn:
        return store.indexed_markers(conn), sorted(store.vocabulary(conn))


@given(STEPS, st.sampled_from(PATTERNS), st.sampled_from(["respondent", "any"]))
def test_a_search_that_writes_nothing_finds_what_a_refreshed_index_finds(project, steps, pattern, speaker):
    """Model: the same search after refreshing the index. Transcripts imported, replaced or
    removed since the index was built are searched from their text, never from old rows."""
    from qualcode.store.transcripts import delete_transcript

    with project.write() as conn:
        for transcript_id in IDS:
            delete_transcript(conn, transcript_id)
    for version, (step, transcript_id, spoken) in enumerate(steps):
        if step == "put":
            _put(project, transcript_id, spoken, version)
        elif step == "delete":
            with project.write() as conn:
                delete_transcript(conn, transcript_id)
        else:
            refresh(project)
    options = SearchOptions(mode=pattern[1], speaker=speaker)
    index_before = _index_rows(project)
    read_only = search(project, pattern[0], options, refresh_index=False)
    assert _index_rows(project) == index_before  # nothing written
    refreshed = search(project, pattern[0], options)
    assert read_only.to_dict() == refreshed.to_dict()


def test_a_search_that_writes_nothing_refuses_a_text_changed_while_searched(study, monkeypatch):
    """The text a stale transcript was searched in is the text its hits are cut from."""
    from sqlalchemy import update

    import qualcode.search.engine as engine
    from qualcode.store.schema import transcripts

    add_transcript(study, "new-1", "service_provider", [("Respondent", "Housing first, housing always.")])
    real = engine.find

    def then_changed(*args, **kwargs):
        found = real(*args, **kwargs)
        assert set(found.searched) == {"new-1"}  # not indexed yet: searched in its text
        with study.write() as conn:
            conn.execute(update(transcripts).where(transcripts.c.id == "new-1").values(text="x" * 40))
        return found

    monkeypatch.setattr(engine, "find", then_changed)
    with pytest.raises(SearchError, match="'new-1' changed while it was searched"):
        search(study, "housing", SearchOptions(transcripts=("new-1",)), refresh_index=False)
