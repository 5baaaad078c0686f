"""The hits screen built ahead of the first ``F`` (qualcode/tui/search_actions.py): between keys,
never shown early, nothing written, and the hits a new search finds whatever changed since."""

import gc

import pytest
from textual.screen import Screen

from qualcode.tui import search_actions
from qualcode.tui.app import CodingApp
from qualcode.tui.screens.hits import HitsScreen
from tests.helpers import add_transcript, statements_of
from tests.tui.conftest import settle
from tests.tui.test_find_and_go import coded, kinds

pytestmark = pytest.mark.coders("ana")

SIZE = (140, 36)
PAUSE = 0.3  # the pause that builds the hits screen in these tests (INDEX_IDLE_SECONDS, patched)


@pytest.fixture(autouse=True)
def short_pause(monkeypatch):
    monkeypatch.setattr(search_actions, "INDEX_IDLE_SECONDS", PAUSE)
    monkeypatch.setattr(search_actions, "INDEX_STEP_SECONDS", 60.0)  # no index step inside these tests


def hits_screen(app) -> HitsScreen | None:
    return app.get_screen("hits", HitsScreen) if app.is_screen_installed("hits") else None


async def built(pilot, app, size=SIZE) -> HitsScreen | None:
    """The hits screen once built and laid out at ``size`` (waiting up to 5 s: loaded machines), else None."""
    for _ in range(50):
        await pilot.pause(0.1)
        hits = hits_screen(app)
        if hits is not None and hits.is_mounted and tuple(hits.size) == size and not hits._layout_required:
            return hits
    return None


def layouts(monkeypatch) -> list[Screen]:
    """The screens Textual lays out from now on (each call of ``Screen._refresh_layout``)."""
    calls: list[Screen] = []
    real = Screen._refresh_layout

    def counted(self, *args, **kwargs):
        calls.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    return calls


async def test_a_pause_builds_the_hits_screen_unseen_and_writes_nothing(project, interview, second):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        with statements_of(project.engine) as statements:
            hits = await built(pilot, app)
        assert hits is not None
        assert app.screen is not hits and app.focused is app.transcript_view  # the coding screen as it was
    assert statements and kinds(statements) <= {"BEGIN", "SELECT", "COMMIT", "ROLLBACK"}, statements


async def test_no_pause_no_build_while_the_coder_types(project, interview, monkeypatch):
    monkeypatch.setattr(search_actions, "INDEX_IDLE_SECONDS", 1.0)  # well above the gaps below, even when loaded
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(15):  # a key every 0.1 s
            await pilot.press("j")
            await pilot.pause(0.1)
            assert hits_screen(app) is None, "built while the coder typed"
        assert await built(pilot, app) is not None


async def test_the_first_search_after_a_pause_lays_nothing_out(project, interview, second, monkeypatch):
    # What made the session's first F slow: Textual laid the new hits screen out (twice)
    # inside the key. Built ahead, the first F only refills it and paints it once.
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        assert await built(pilot, app) is not None
        await pilot.press("F", *"shelter")
        await pilot.pause()
        laid_out = layouts(monkeypatch)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HitsScreen)
        assert not [s for s in laid_out if isinstance(s, HitsScreen)], "the hits screen was laid out in the key"
        assert [r.value[0] for r in app.screen.pick_list.rows] == ["vsp-1", "vsp-2"]


async def test_without_a_pause_the_search_prompt_builds_it_before_the_enter(project, interview, second, monkeypatch):
    monkeypatch.setattr(search_actions, "INDEX_IDLE_SECONDS", 60.0)  # no pause comes
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        hits = await built(pilot, app)
        assert hits is not None and app.screen is not hits
        await pilot.press(*"shelter", "enter")
        await settle(pilot)
        assert app.screen is hits and len(hits.pick_list.rows) == 2


async def test_the_built_screen_shows_what_was_imported_and_coded_since(project, interview, second):
    # Built before an import and a coding: the hits come from a new search on each F, so the
    # new transcript is listed, and its hit opens with the words selected, to code.
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        assert await built(pilot, app) is not None
        await pilot.press("slash", *"housing", "enter")  # a coding on turn 2 of vsp-1
        add_transcript(project, "vsp-3", "service_provider", [("Interviewer", "Q?"), ("Respondent", "More shelter beds.")])
        await pilot.press("F", *"shelter", "enter")
        await settle(pilot)
        assert [r.value[0] for r in app.screen.pick_list.rows] == ["vsp-1", "vsp-2", "vsp-3"]
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert app.state.transcript.id == "vsp-3" and app.state.current == 2
        await pilot.press("slash", *"housing", "enter")
        await pilot.pause()
    assert [(t, s, text) for t, s, _, text in coded(project)][-1] == ("vsp-3", 2, "shelter")


async def test_a_resize_lays_the_built_screen_out_again_at_the_next_pause(project, interview, second):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        assert await built(pilot, app) is not None
        await pilot.resize_terminal(100, 30)
        hits = await built(pilot, app, (100, 30))
        assert hits is not None and app.screen is not hits


async def test_what_the_preparation_built_is_left_out_of_full_collections(project, interview, second):
    # The hits screen and the search's tables stay for the session; left in the oldest
    # generation, every full collection walked them (one ~145 ms press in bench_tui's run).
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        frozen_before = gc.get_freeze_count()
        hits = await built(pilot, app)
        assert hits is not None
        await pilot.pause(0.1)
        assert gc.get_freeze_count() > frozen_before
        assert gc.is_tracked(hits) and not any(hits is o for o in gc.get_objects(generation=2))


async def test_f_straight_after_an_import_and_a_replace_shows_the_new_texts_hits(project, interview, second):
    # F keeps the texts it read for the next F (search/kept.py). Right after vsp-2 is
    # replaced (the word now elsewhere) and vsp-3 imported, with no pause between, the
    # next F lists what a search with nothing kept lists: the new texts, cut where they are now.
    from qualcode.search.engine import SearchOptions, search
    from qualcode.store.transcripts import replace_transcript
    from qualcode.transcripts.model import Transcript, Turn, render
    from qualcode.tui.screens.hits import hit_row

    def fresh_rows(pattern: str):
        options = SearchOptions(limit=search_actions.HITS_SHOWN, context=40)
        return [hit_row(h) for h in search(project, pattern, options, refresh_index=False).hits]

    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        assert await built(pilot, app) is not None
        await pilot.press("F", *"shelter", "enter")
        await settle(pilot)
        before = list(app.screen.pick_list.rows)
        assert "vsp-2" in {r.value[0] for r in before} and len(app.kept_texts) >= 2
        await pilot.press("escape")
        text, segments = render([Turn("Interviewer", "Where now?"), Turn("Respondent", "Nothing."),
                                 Turn("Interviewer", "And then?"), Turn("Respondent", "Later a shelter, then a shelter bed.")],
                                {"Interviewer"})
        with project.write() as conn:
            replace_transcript(conn, Transcript(id="vsp-2", title="vsp-2", role="service_provider", site="A", text=text,
                                                segments=segments, format="text", source_path="vsp-2b.txt", sha256="b"))
        add_transcript(project, "vsp-3", "service_provider", [("Interviewer", "Q?"), ("Respondent", "More shelter beds.")])
        await pilot.press("F", *"shelter", "enter")
        await settle(pilot)
        rows = list(app.screen.pick_list.rows)
        assert rows == fresh_rows("shelter") and rows != before
        assert [r.value[:2] for r in rows if r.value[0] != "vsp-1"] == [("vsp-2", 4), ("vsp-2", 4), ("vsp-3", 2)]


async def test_what_the_prompt_read_ahead_is_not_used_once_the_transcript_changed(project, interview, second):
    # F's prompt reads the transcripts the index lacks (vsp-3, just imported) while the coder
    # types. Replaced before the Enter (the word now in another turn, twice), the search
    # reads it again: the hits are the new text's, and F writes nothing.
    from qualcode.search.kept import version_of
    from qualcode.store.search import text_versions
    from qualcode.store.transcripts import replace_transcript
    from qualcode.transcripts.model import Transcript, Turn, render

    def version(transcript_id):
        with project.read() as conn:
            return version_of(text_versions(conn, [transcript_id]).get(transcript_id))

    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        assert await built(pilot, app) is not None
        add_transcript(project, "vsp-3", "service_provider", [("Interviewer", "Q?"), ("Respondent", "More shelter beds.")])
        with statements_of(project.engine) as statements:
            await pilot.press("F")
            await settle(pilot)
            assert app.kept_texts.searched("vsp-3", version("vsp-3")) is not None  # read ahead
            await pilot.press(*"shelte")
            text, segments = render([Turn("Interviewer", "Q?"), Turn("Respondent", "No."), Turn("Interviewer", "And?"),
                                     Turn("Respondent", "A shelter, then another shelter.")], {"Interviewer"})
            with project.write() as conn:
                replace_transcript(conn, Transcript(id="vsp-3", title="vsp-3", role="service_provider", site="A",
                                                    text=text, segments=segments, format="text",
                                                    source_path="vsp-3b.txt", sha256="b"))
            seen = len(statements)
            await pilot.press("r", "enter")
            await settle(pilot)
        rows = [r for r in app.screen.pick_list.rows if r.value[0] == "vsp-3"]
        assert [(r.value[1], text[r.value[2]:r.value[3]]) for r in rows] == [(4, "shelter"), (4, "shelter")]
        assert kinds(statements[seen:]) <= {"BEGIN", "SELECT", "COMMIT", "ROLLBACK"}
