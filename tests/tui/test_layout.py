"""Layout of the coding screen at 80x24 and 160x45: header, tags, resizing, focus, evidence, definitions."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.coding.finishing import set_mark
from qualcode.coding.session import CodingSession
from qualcode.coding.suggesters import (
    Suggestion,
    register_suggester,
    unregister_suggester,
)
from qualcode.tui.app import CodingApp
from qualcode.tui.header import HeaderFacts, fit_header, header_variants
from qualcode.tui.widgets.codetree import CodeTree, TextPanel
from qualcode.tui.widgets.transcript import other_label
from tests.helpers import add_transcript

pytestmark = pytest.mark.coders("ana", "benedetta")

SMALL, LARGE = (80, 24), (160, 45)


def facts(blind=True, **kw):
    base = {"transcript": "le-a-01", "role": "Law enforcement official", "site": "A", "coder": "alice",
            "turn": 12, "coded": 3, "total": 23, "blind": blind}
    return HeaderFacts(**{**base, **kw})


@pytest.mark.parametrize("width", [40, 60, 78, 120, 158])
def test_header_keeps_progress_and_blind_at_any_width(width):
    line = fit_header(facts(), width)
    assert "3/23 coded" in line and "BLIND" in line and "le-a-01" in line
    assert len(line) <= width


def test_header_drops_the_least_important_parts_first():
    variants = header_variants(facts())
    assert variants[0].startswith("qualcode · ") and "coder alice" in variants[0]
    assert "coder alice" not in fit_header(facts(), 60)
    assert fit_header(facts(blind=False), 200) == (
        "qualcode · le-a-01 — Law enforcement official, site A · coder alice · turn 12 · 3/23 coded")


@given(st.integers(10, 200), st.booleans(), st.text(min_size=1, max_size=30))
def test_header_is_the_richest_variant_that_fits(width, blind, role):
    variants = header_variants(facts(blind=blind, role=role))
    line = fit_header(facts(blind=blind, role=role), width)
    fitting = [v for v in variants if len(v) <= width]
    assert line == (fitting[0] if fitting else variants[-1])


@pytest.mark.parametrize(
    ("coder", "code", "width", "expected"),
    [
        ("ben", "challenge.housing", 40, "ben: challenge.housing"),
        ("autocoder", "challenge.collaboration.burnout", 30, "autocoder: …laboration.burnout"),
        ("autocoder", "challenge.collaboration.burnout", 16, "autocod…: …rnout"),
    ],
)
def test_other_coders_tags_show_the_coder_first(coder, code, width, expected):
    label = other_label(coder, code, width)
    assert label == expected and len(label) <= width


@pytest.mark.parametrize("width", [40, 60, 78, 80, 120, 158, 160])
@pytest.mark.parametrize("done", [False, True])
def test_header_keeps_the_nothing_to_code_count_with_progress_and_blind(width, done):
    line = fit_header(facts(nothing=3, done=done), width)
    assert "3/23 coded" in line and "3 nothing to code" in line and "BLIND" in line
    assert ("DONE" in line) == done
    assert len(line) <= width or width < 78  # only the barest variant on a very narrow terminal overflows


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_header_on_screen_keeps_nothing_to_code_coded_and_blind(project, interview, assign, size):
    assign("irr-1", ["vsp-1"], ["ana", "benedetta"])
    set_mark(CodingSession(project, "ana"), "vsp-1", 4, True)
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        shown = app.export_screenshot().replace("&#160;", " ")  # what the terminal shows
        for text in ("0/2 coded", "1 nothing to code", "BLIND"):
            assert text in app.header_text and text in shown


async def test_header_at_80x24_keeps_coded_count_and_blind(project, interview, assign):
    assign("irr-1", ["vsp-1"], ["ana", "benedetta"])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        shown = app.export_screenshot()
        assert "0/2 coded" in app.header_text and "BLIND" in app.header_text
        assert "coded" in shown and "BLIND" in shown


async def test_other_coders_name_shows_at_160x45(project, interview):
    CodingSession(project, "benedetta").tag("vsp-1", 2, ["referral.law_enforcement"])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=LARGE):
        assert "benedetta: referral.law_enforcement" in app.transcript_view.turn_text(2)


def long_interview(project):
    words = "we worked with the task force on housing and the hotline every week of the year " * 8
    turns = [t for n in range(30) for t in (("Interviewer", f"Question {n}?"), ("Respondent", words))]
    return add_transcript(project, "long-1", "service_provider", turns)


@pytest.mark.parametrize(("before", "after"), [(LARGE, SMALL), (SMALL, LARGE), (SMALL, (60, 20))])
async def test_resizing_keeps_the_current_turn_in_view(project, before, after):
    long_interview(project)
    app = CodingApp(project, "ana", "long-1")
    async with app.run_test(size=before) as pilot:
        await pilot.press("colon", *"40", "enter")
        await pilot.pause()
        await pilot.resize_terminal(*after)
        await pilot.pause()
        await pilot.pause()
        view = app.transcript_view
        top = view._starts[39]
        assert view.scroll_y <= top < view.scroll_y + view.scrollable_content_region.height
        assert any(" 40  Respond" in view.render_line(y).text for y in range(view.size.height))  # its header


async def test_tab_marks_the_focused_pane(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SMALL) as pilot:
        view, tree = app.transcript_view, app.query_one(CodeTree)
        assert view.styles.border_left[0] == "tall" and tree.styles.border_left[0] == "blank"
        await pilot.press("tab")
        assert app.focused is tree
        assert tree.styles.border_left[0] == "tall" and view.styles.border_left[0] == "blank"
        await pilot.press("tab")
        panel = app.query_one(TextPanel)
        assert app.focused is panel and panel.styles.border_left[0] == "tall"


async def test_definition_scrolls_by_keyboard(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()  # the panel's scroll bars are set up by the first layout
        panel = app.query_one(TextPanel)
        assert panel.text_height > panel.scrollable_content_region.height  # examples below the fold
        await pilot.press("right_curly_bracket")
        assert panel.scroll_y > 0
        await pilot.press("left_curly_bracket")
        assert panel.scroll_y == 0
        await pilot.press("tab", "tab", "down", "down")
        assert panel.scroll_y == 2


def styles_at(view, y):
    styles, position = {}, 0
    for segment in view.render_line(y):
        for _ in segment.text:
            styles[position] = segment.style
            position += 1
    return styles


async def test_suggestion_evidence_is_highlighted(project, interview, stub_suggester):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=LARGE) as pilot:
        view = app.transcript_view
        y = next(y for y in range(view.size.height) if "Mostly the hotline" in view.render_line(y).text)
        x = view.render_line(y).text.index("hotline")
        assert styles_at(view, y)[x].underline and not styles_at(view, y)[x - 2].underline
        await pilot.press("right_square_bracket")  # the whole-turn model suggestion: nothing marked
        assert not styles_at(view, y)[x].underline


class SentenceSuggester:
    """A rule suggestion on the first sentence of a turn saying "hotline", as the autocoder makes."""

    name = "sentence-stub"

    def __init__(self, project) -> None:
        self.project = project

    def suggest(self, transcript, segment, coder):
        text = transcript.text[segment.start : segment.end]
        if "hotline" not in text:
            return []
        end = segment.start + text.index(".") + 1
        return [Suggestion("referral.hotline", segment.start, end, "rules", 'phrase \'hotline\' -> "hotline"', 1.0)]


async def test_a_rule_suggestion_marks_its_matched_words_not_its_whole_sentence(project, interview):
    register_suggester(SentenceSuggester.name, SentenceSuggester)
    try:
        app = CodingApp(project, "ana", "vsp-1")
        async with app.run_test(size=LARGE):
            view = app.transcript_view
            y = next(y for y in range(view.size.height) if "Mostly the hotline" in view.render_line(y).text)
            line = view.render_line(y).text
            styles = styles_at(view, y)
            assert styles[line.index("hotline")].underline
            assert not styles[line.index("Mostly")].underline
    finally:
        unregister_suggester(SentenceSuggester.name)


@pytest.mark.parametrize(("before", "after"), [(LARGE, SMALL), (SMALL, LARGE)])
async def test_header_refits_after_a_resize(project, interview, before, after):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=before) as pilot:
        await pilot.resize_terminal(*after)
        await pilot.pause()
        await pilot.pause()
        expected = fit_header(HeaderFacts("vsp-1", "Service provider", "A", "ana", 2, 0, 2, False), after[0] - 2)
        assert app.header_text == expected
