"""Find and go on the real app (Textual's pilot): find text, go to turn N, the jump list, search hits."""


import pytest
from textual.widgets import Static

from qualcode.coding.listing import list_codings
from qualcode.tui import search_actions
from qualcode.tui.app import CodingApp
from qualcode.tui.screens.hits import HitsScreen
from qualcode.tui.screens.jump import JumpScreen
from tests.helpers import add_transcript, statements_of
from tests.tui.conftest import burst, settle

pytestmark = pytest.mark.coders("ana")

SIZE = (140, 36)


def kinds(statements: list[tuple[str, object]]) -> set[str]:
    return {statement.split()[0].upper() for statement, _ in statements}


def coded(project):
    return [(r.transcript, r.segment, r.code, r.text) for r in list_codings(project, coder="ana")]


def status(app) -> str:
    return str(app.query_one("#status", Static).content)


async def test_find_selects_the_match_and_codes_it(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", *"shelters", "enter")
        assert app.state.current == 4
        assert "“shelters”: match 1 of 1, turn 4" in status(app)
        await pilot.press("slash", *"housing", "enter")
        await pilot.pause()
        assert coded(project) == [("vsp-1", 4, "challenge.housing", "Shelters")]


async def test_find_in_one_burst_types_every_letter_and_next_match_wraps(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        # "the" holds letters that are commands (t toggles, h moves): typed into the prompt
        burst(app, ["f", *"the", "enter", "greater_than_sign"])
        await settle(pilot)
        assert coded(project) == []
        assert [m[0] for m in app.state.matches] == [2, 4]  # "the hotline", "There's"
        assert app.state.current == 4 and app.state.selection_label() == "word 1 of 9"
        await pilot.press("greater_than_sign")
        assert app.state.current == 2 and "(wrapped)" in status(app)
        await pilot.press("less_than_sign")
        assert app.state.current == 4


async def test_go_to_turn(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", "3", "enter")
        assert app.state.current == 3
        await pilot.press("colon", "9", "9", "enter")
        assert app.state.current == 3
        assert "expected a turn number from 1 to 4; got '99'" in status(app)


async def test_jump_list_filters_by_typing(project, interview, second):
    add_transcript(project, "le-9", "law_enforcement", [("Interviewer", "Q?"), ("Respondent", "A.")])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, ["g", *"vsp 2", "enter"])  # typed straight after g, in one read
        await settle(pilot)
        assert app.state.transcript.id == "vsp-2"
        await pilot.press("g", *"law")
        assert isinstance(app.screen, JumpScreen)
        assert [r.value for r in app.screen.pick_list.rows] == ["le-9"]
        await pilot.press("escape")
        assert not isinstance(app.screen, JumpScreen)


async def test_jump_list_reads_the_store_in_a_few_queries_whatever_the_transcripts(project, interview):
    # Its speed is bench_tui.py's (never a timed test); what keeps it fast with 143
    # transcripts is asserted here: a fixed number of statements, not one per transcript.
    for n in range(150):
        add_transcript(project, f"t-{n:03}", "service_provider", [("Interviewer", "Q?"), ("Respondent", "A.")])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        with statements_of(project.engine) as statements:
            await pilot.press("g")
            await pilot.pause()
        assert isinstance(app.screen, JumpScreen) and len(app.screen.pick_list.rows) == 151
        assert len(statements) < 20, f"{len(statements)} statements to open the jump list"


async def test_search_hits_open_the_turn_with_the_words_selected(project, interview, second):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F", *"shelter", "enter")  # lemma search: "Shelters" in both transcripts
        await settle(pilot)
        assert isinstance(app.screen, HitsScreen)
        labels = [r.label for r in app.screen.pick_list.rows]
        assert len(labels) == 2 and labels[1].startswith("vsp-2")
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.state.transcript.id == "vsp-2" and app.state.current == 2
        await pilot.press("slash", *"housing", "enter")
        await pilot.pause()
        assert coded(project) == [("vsp-2", 2, "challenge.housing", "Shelters")]


async def test_code_search_option_opens_on_the_hits(project, interview, second):
    app = CodingApp(project, "ana", "vsp-1", search="police")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HitsScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert app.state.current == 2 and app.state.selection_label() == "word 4 of 14"


async def test_search_errors_show_on_the_status_line(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F", *"zzqx", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, HitsScreen)
        assert "no hits for “zzqx”" in status(app)


async def test_search_hits_write_nothing_where_the_index_is_not_theirs(project, interview, second, monkeypatch):
    # The index is built (by a `qualcode search`), then a transcript is imported, and the
    # index may not be written (a coder in team mode): F writes nothing and still lists
    # what the new transcript says.
    from qualcode.search import index
    from qualcode.store.search import indexed_markers

    index.refresh(project)
    monkeypatch.setattr(index, "may_write", lambda conn, *tables: False)
    add_transcript(project, "vsp-3", "service_provider", [("Interviewer", "Q?"), ("Respondent", "Shelter beds.")])
    with project.read() as conn:
        before = indexed_markers(conn)
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with statements_of(project.engine) as statements:
            await pilot.press("F", *"shelter", "enter")
            await settle(pilot)
        assert isinstance(app.screen, HitsScreen)
        assert [r.value[0] for r in app.screen.pick_list.rows] == ["vsp-1", "vsp-2", "vsp-3"]
    assert kinds(statements) <= {"BEGIN", "SELECT", "COMMIT", "ROLLBACK"}, statements
    with project.read() as conn:
        assert indexed_markers(conn) == before


@pytest.mark.parametrize("others", [5, 40])
async def test_search_hits_read_the_store_in_a_few_statements_whatever_the_transcripts_hit(
        project, interview, others, monkeypatch):
    # A word said in many transcripts: the hits' lines are read for all of them at once
    # (texts with their digests, and turns), not three statements per transcript, so
    # the count is the same for 6 and for 41 transcripts hit (8; before: 27 and 132; up to
    # 4 more if the screen's 2-second refresh tick lands inside).
    from qualcode.search.index import refresh

    monkeypatch.setattr(search_actions, "INDEX_STEP_SECONDS", 60.0)  # no idle index step inside the count
    for n in range(others):
        add_transcript(project, f"vsp-x{n:02d}", "service_provider",
                       [("Interviewer", "Where?"), ("Respondent", f"Shelter {n} was full.")])
    refresh(project)
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("F", *"shelter")
        await pilot.pause()
        with statements_of(project.engine) as statements:
            await pilot.press("enter")
            await settle(pilot)
        assert isinstance(app.screen, HitsScreen)
        assert len({r.value[0] for r in app.screen.pick_list.rows}) == others + 1
    assert len(statements) <= 12, f"{len(statements)} statements for F over {others + 1} transcripts"


async def test_search_hits_write_nothing_in_the_key_and_index_what_is_new_between_keys(
        project, interview, second, monkeypatch):
    # Where the index may be written, F after an import still writes nothing inside the
    # key (building the index for a large import took seconds there): the new
    # transcripts are searched in their text; then they are indexed between keys, one
    # per step, and the next F reads them from the index with the same hits.
    from qualcode.search.index import refresh
    from qualcode.store.search import indexed_markers, transcript_markers

    monkeypatch.setattr(search_actions, "INDEX_STEP_SECONDS", 1.0)  # the first step well after the key
    refresh(project)
    for name in ("vsp-3", "vsp-4"):
        add_transcript(project, name, "service_provider", [("Interviewer", "Q?"), ("Respondent", "Shelter beds.")])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with statements_of(project.engine) as statements:
            await pilot.press("F", *"shelter", "enter")
            await pilot.pause()
        assert kinds(statements) <= {"BEGIN", "SELECT", "COMMIT", "ROLLBACK"}, statements
        assert isinstance(app.screen, HitsScreen)
        rows = [r.label for r in app.screen.pick_list.rows]
        assert [r.value[0] for r in app.screen.pick_list.rows] == ["vsp-1", "vsp-2", "vsp-3", "vsp-4"]
        await pilot.press("escape")
        for _ in range(60):  # two steps, 1 s apart
            await pilot.pause(0.1)
            with project.read() as conn:
                if indexed_markers(conn) == transcript_markers(conn):
                    break
        with project.read() as conn:
            assert indexed_markers(conn) == transcript_markers(conn)
        await pilot.press("F", *"shelter", "enter")
        await settle(pilot)
        assert [r.label for r in app.screen.pick_list.rows] == rows


async def test_index_steps_wait_while_the_coder_types(project, interview, second, monkeypatch):
    # A step (~20 ms of CPU for an 8,000-word interview) taken while the coder types
    # would land inside their next key: steps wait until no key came for a while.
    import time

    from qualcode.search.index import refresh
    from qualcode.store.search import indexed_markers, transcript_markers

    monkeypatch.setattr(search_actions, "INDEX_STEP_SECONDS", 0.05)
    monkeypatch.setattr(search_actions, "INDEX_IDLE_SECONDS", 1.0)
    refresh(project)
    add_transcript(project, "vsp-3", "service_provider", [("Interviewer", "Q?"), ("Respondent", "Shelter beds.")])

    def indexed() -> bool:
        with project.read() as conn:
            return indexed_markers(conn) == transcript_markers(conn)

    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("F", *"shelter", "enter", "escape")
        typing_until = time.monotonic() + 1.5
        while time.monotonic() < typing_until:  # a key every 0.1 s: no pause of 1 s
            await pilot.press("j")
            await pilot.pause(0.1)
            assert not indexed(), "an index step ran while the coder was typing"
        for _ in range(40):
            await pilot.pause(0.1)
            if indexed():
                break
        assert indexed(), "the index was not brought up to date once the coder paused"


async def test_find_rewraps_no_turn_it_only_highlights(project, monkeypatch):
    # f marks its matches in every turn that has one (here 60): their heights cannot
    # change (the text and the tags are the same), so no turn's text is wrapped again;
    # only the turns in view are drawn anew.
    from qualcode.tui.widgets import transcript

    turns = [t for n in range(30) for t in (("Interviewer", f"Question {n}?"), ("Respondent", "The hotline helped."))]
    add_transcript(project, "long-1", "service_provider", turns)
    app = CodingApp(project, "ana", "long-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        calls: list[int] = []
        real = transcript.wrap_spans
        monkeypatch.setattr(transcript, "wrap_spans", lambda *a: (calls.append(1), real(*a))[1])
        await pilot.press("f", *"hotline", "enter")
        await pilot.pause()
        assert app.state.current == 2 and len(app.state.matches) == 30
        assert len(calls) <= 12, f"{len(calls)} turns wrapped for one f"


async def test_the_search_prompt_reads_the_match_keys_before_the_enter_that_searches(project, interview):
    from qualcode.search.lemmas import lemmas

    lemmas.cache_clear()
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        await pilot.pause()
        assert lemmas.cache_info().currsize == 1  # loaded while the coder types the pattern
        await pilot.press(*"police", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HitsScreen)
