"""``import-project``: real exports land on the coded words; quirks are tolerated; attacks refused."""

from __future__ import annotations

import re
import unicodedata
import zipfile

import pytest

from qualcode.coding.listing import list_codings
from qualcode.errors import InteropError
from qualcode.interop.qdpx_import import ImportOptions, import_project
from qualcode.store.transcripts import load_transcript, transcript_ids
from tests.interop.conftest import SAMPLES, fresh_project, needs_samples
from tests.interop.refi_builders import (
    Sel,
    Src,
    gid,
    project_xml,
    utf16_span,
    write_qdpx,
)

pytestmark = pytest.mark.coders("ann", "ben", "carol")

NVIVO = SAMPLES / "nvivo-win-12.6_oltas0517.qdpx"
CODED_SOURCE = "Sources/68bbdc14-c361-4432-b4dd-ae1dbfc12890.txt"
TEXT = "Interviewer: Where do referrals come from?\n\nRespondent: Mostly the hotline. Housing is short."


def at(word: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(word)
    return start, start + len(word)


def _expected_nvivo_texts() -> list[tuple[str, bool]]:
    """Each selection's text cut independently from the UTF-16 code units, and whether it starts a line."""
    with zipfile.ZipFile(NVIVO) as archive:
        qde = archive.read("project.qde").decode("utf-8")
        data = archive.read(CODED_SOURCE)
    assert data.startswith(b"\xef\xbb\xbf")
    units = data[3:].decode("utf-8").encode("utf-16-le")
    found = []
    for start, end in re.findall(r'startPosition="(\d+)" endPosition="(\d+)"', qde):
        original = units[2 * int(start) : 2 * int(end)].decode("utf-16-le")
        shown = unicodedata.normalize("NFC", re.sub(r"[^\S\n]+(?=\n)", "", original.replace("\r\n", "\n")))
        line_start = units[2 * int(start) - 4 : 2 * int(start)].decode("utf-16-le") == "\r\n"
        found.append((shown, line_start))
    return found


@needs_samples
def test_nvivo_sample_every_selection_lands_on_its_words(tmp_path):
    project = fresh_project(tmp_path)
    report = import_project(project, NVIVO, ImportOptions(codebook_from_file=True, role="other", site="web"))
    coded = next(s for s in report.sources if s.transcript_id == "videos_10_selected")
    assert coded.model == "utf16" and "confirmed" in coded.model_reason
    assert (len(coded.codings), len(coded.skipped)) == (303, 0)
    expected = _expected_nvivo_texts()
    codings = list_codings(project, transcript="videos_10_selected")
    assert sorted(c.text for c in codings) == sorted(text for text, _ in expected)
    with project.read() as conn:
        text = load_transcript(conn, "videos_10_selected").text
    assert "\r" not in text and text.count("\U0001F44D") > 10  # CRLF gone, emoji kept
    starts = [c.start for c in codings]
    assert sum(text[s - 1] == "\n" for s in starts if s) == sum(flag for _, flag in expected)
    from qualcode.interop.offsets import on_word_edge

    edges = sum(on_word_edge(text, edge) for c in codings for edge in (c.start, c.end))
    assert edges >= 2 * 303 - 3  # three selections in the sample really start or end inside a word
    assert {c.coder for c in codings} == {"Gergo"}


@needs_samples
def test_qualcoder_sample_line_names_confirm_the_positions(tmp_path):
    project = fresh_project(tmp_path)
    report = import_project(project, SAMPLES / "qc-1.3.2_demo.qdpx", ImportOptions(codebook_from_file=True, role="other"))
    board = next(s for s in report.sources if s.transcript_id == "board_2017")
    assert board.model == "codepoints" and "158/158 names match" in board.model_reason
    assert board.segmentation == "speaker labels" and len(board.codings) == 205
    with zipfile.ZipFile(SAMPLES / "qc-1.3.2_demo.qdpx") as archive:
        raw = archive.read("sources/board_2017.txt").decode("utf-8")
        qde = archive.read("project.qde").decode("utf-8")
    lines = raw.split("\n")
    expected = set()
    for number, start, end in re.findall(r'name="line:(\d+)" startPosition="(\d+)" endPosition="(\d+)"', qde):
        assert raw[int(start) :].startswith(lines[int(number)])  # the name says which line it starts
        expected.add(re.sub(r"[^\S\n]+(?=\n|$)", "", raw[int(start) : int(end)]))
    assert {c.text for c in list_codings(project, transcript="board_2017")} == expected


@needs_samples
def test_nvivo_mac_placeholder_sources_are_skipped_with_a_reason(tmp_path):
    project = fresh_project(tmp_path)
    report = import_project(project, SAMPLES / "nvivo-mac-15.0.0_qc-roundtrip.qdpx", ImportOptions(codebook_from_file=True))
    assert [s.status for s in report.sources] == ["skipped", "skipped"]
    assert all("its text is empty (1-byte placeholder" in s.reason for s in report.sources)
    assert len(project.reload_codebook().codes) == 262


@needs_samples
@pytest.mark.parametrize(
    ("name", "codes", "sources"),
    [("maxqda-24.7.0_uncoded_project.qde", 307, 10), ("f4-2025.2.9_openqda-valid-document.qde", 1, 4)],
)
def test_bare_qde_samples_bring_their_codebook(tmp_path, name, codes, sources):
    project = fresh_project(tmp_path)
    report = import_project(project, SAMPLES / name, ImportOptions(codebook_from_file=True))
    assert len(report.sources) == sources and all(s.status == "skipped" for s in report.sources)
    assert all("without its sources folder" in s.reason for s in report.sources)
    assert len(project.reload_codebook().codes) == codes


@needs_samples
def test_unused_foreign_codes_are_written_for_reference_not_activated(tmp_path):
    project = fresh_project(tmp_path)
    before = project.config_path.read_text(encoding="utf-8")
    report = import_project(project, SAMPLES / "maxqda-24.7.0_uncoded_project.qde")
    assert "for reference (not activated)" in report.codebook_action
    assert (project.root / report.codebook_file).is_file()
    assert project.config_path.read_text(encoding="utf-8") == before


def test_codes_missing_from_the_project_codebook_are_refused_by_default(tmp_path):
    path = write_qdpx(tmp_path / "x.qdpx", [Src("iv", TEXT, [Sel(*at("the hotline"), "Hotline")], {"role": "prosecutor"})])
    project = fresh_project(tmp_path)
    with pytest.raises(InteropError, match=r"1 code\(s\) used by codings in x.qdpx are not in the project's codebook .*: hotline\. Rerun with --codebook-from-file"):
        import_project(project, path)
    _assert_untouched(project)


def _assert_untouched(project) -> None:
    with project.read() as conn:
        assert transcript_ids(conn) == []
    assert sorted(p.name for p in (project.root / "codebooks").iterdir()) == ["codebook.yaml"]
    assert 'codebook = "codebooks/codebook.yaml"' in project.config_path.read_text(encoding="utf-8")


# -- malicious archives -----------------------------------------------------------------


def _evil_archive(tmp_path, case: str):
    good = project_xml([Src("iv", TEXT, [Sel(*at("the hotline"), "Hotline")], {"role": "prosecutor"})])
    declaration = '<?xml version="1.0" encoding="utf-8"?>'
    xxe = good.replace(declaration, '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    laughs = good.replace(declaration, '<?xml version="1.0"?><!DOCTYPE P [<!ENTITY a "aaaaaaaaaa">'
                          '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    cases = {
        "traversal": ({"project.qde": good, "../../escaped.txt": "owned"}, "is unsafe"),
        "absolute": ({"project.qde": good, "/tmp/qualcode-evil.txt": "owned"}, "is unsafe"),
        "bomb": ({"project.qde": good, "sources/big.txt": "\0" * (12 * 2**20)}, "possible zip bomb"),
        "xxe": ({"project.qde": xxe.replace('name="test"', 'name="&x;"')}, "Refused unsafe XML"),
        "billion-laughs": ({"project.qde": laughs.replace('name="test"', 'name="&c;"')}, "Refused unsafe XML"),
    }
    entries, message = cases[case]
    path = tmp_path / f"{case}.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data.encode("utf-8"))
    return path, message


@pytest.mark.parametrize("case", ["traversal", "absolute", "bomb", "xxe", "billion-laughs"])
def test_malicious_archives_are_refused_and_nothing_is_written(tmp_path, case):
    path, message = _evil_archive(tmp_path, case)
    project = fresh_project(tmp_path)
    with pytest.raises(InteropError, match=message) as caught:
        import_project(project, path, ImportOptions(codebook_from_file=True))
    assert "nothing was imported" in str(caught.value)
    _assert_untouched(project)
    assert not (tmp_path.parent / "escaped.txt").exists() and not (tmp_path / "escaped.txt").exists()


# -- what real exports do -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "xml_options"),
    [
        ({"qde_name": "My Study.qde", "folder": "Sources"}, {}),
        ({"folder": "sources"}, {"namespace": None}),
        ({"folder": "sources"}, {"namespace": "urn:QDA-XML:project:1.5", "color": "rgb(12, 34, 56)"}),
        ({"folder": "sources"}, {"prolog": "<!DOCTYPE Project>", "color": "#abc"}),
    ],
    ids=["renamed-qde-Sources", "no-namespace", "ns-1.5-rgb", "empty-doctype"],
)
def test_lenient_layouts(tmp_path, layout, xml_options):
    start, end = TEXT.index("the hotline"), TEXT.index("the hotline") + len("the hotline")
    sources = [Src("Interview 1", TEXT, [Sel(start, end, "Hotline", name="the hotline")], {"Role": "Prosecutor", "Site": "Denver"})]
    path = write_qdpx(tmp_path / "x.qdpx", sources, **layout, **xml_options)
    project = fresh_project(tmp_path)
    report = import_project(project, path, ImportOptions(codebook_from_file=True))
    assert [c.text for c in list_codings(project)] == ["the hotline"]
    with project.read() as conn:
        transcript = load_transcript(conn, "interview-1")
    assert (transcript.role, transcript.site, transcript.title) == ("prosecutor", "Denver", "Interview 1")
    assert report.sources[0].segmentation == "speaker labels"
    expected_color = {"rgb(12, 34, 56)": "#0C2238", "#abc": "#AABBCC"}.get(xml_options.get("color"), "#FF0000")
    assert project.codebook.codes["hotline"].color == expected_color


def test_nvivo_style_bom_crlf_emoji_and_utf16_positions(tmp_path):
    raw = "Comment one 😀 about the vaccine\r\nSecond 🎉🎉 line with trust issues\r\nThird"
    sels = [Sel(*utf16_span(raw, raw.index(w), raw.index(w) + len(w)), "Hotline") for w in ("the vaccine", "trust issues", "Third")]
    path = write_qdpx(tmp_path / "n.qdpx", [Src("comments", raw, sels, bom=True)], origin="NVivo for Windows 14")
    project = fresh_project(tmp_path)
    report = import_project(project, path, ImportOptions(codebook_from_file=True, role="other"))
    assert report.sources[0].model == "utf16"
    assert sorted(c.text for c in list_codings(project)) == ["Third", "the vaccine", "trust issues"]


def test_atlas_counts_a_line_break_as_one(tmp_path):
    raw = "First line\r\nSecond line here\r\nThird line"
    lf = raw.replace("\r\n", "\n")
    sels = [Sel(lf.index(w), lf.index(w) + len(w), "Hotline") for w in ("line here", "Third")]
    path = write_qdpx(tmp_path / "a.qdpx", [Src("doc", raw, sels)], origin="ATLAS.ti 23.1")
    project = fresh_project(tmp_path)
    report = import_project(project, path, ImportOptions(codebook_from_file=True, role="other"))
    assert report.sources[0].model == "codepoints-lf"
    assert sorted(c.text for c in list_codings(project)) == ["Third", "line here"]


def test_utf16_encoded_source_and_relative_path(tmp_path):
    sels = [Sel(TEXT.index("Housing"), TEXT.index("Housing") + 7, "Housing")]
    source = Src("board", TEXT, sels, {"role": "prosecutor"}, path="board.txt", encoding="utf-16")
    path = write_qdpx(tmp_path / "q.qdpx", [source], origin="qc 1.3.2")
    project = fresh_project(tmp_path)
    import_project(project, path, ImportOptions(codebook_from_file=True))
    assert [c.text for c in list_codings(project)] == ["Housing"]


def test_problem_selections_are_skipped_with_reasons(tmp_path):
    sources = [
        Src("ok", TEXT, [Sel(0, 11, "Hotline"), Sel(500, 510, "Hotline"), Sel(5, 5, "Hotline"), Sel(0, 11, "Nope")]),
        Src("placeholder", "\n", [Sel(0, 4, "Hotline")]),
        Src("missing", None, [Sel(0, 4, "Hotline")]),
        Src("outside", None, [Sel(0, 4, "Hotline")], path="absolute:///etc/passwd"),
    ]
    path = write_qdpx(tmp_path / "p.qdpx", sources)  # code "Nope" is not declared in the codebook
    project = fresh_project(tmp_path)
    report = import_project(project, path, ImportOptions(codebook_from_file=True, role="other"))
    by_name = {s.name: s for s in report.sources}
    reasons = " | ".join(by_name["ok"].skipped)
    assert [c.text for c in list_codings(project)] == ["Interviewer"]
    assert "positions 500..510 fall outside the text" in reasons and "positions 5..5 select nothing" in reasons
    assert f"its code {gid('c:Nope')} is not in the file's codebook" in reasons
    assert "its text is empty" in by_name["placeholder"].reason
    assert "the source is skipped (its text is empty" in by_name["placeholder"].skipped[0]
    assert "is not in the archive" in by_name["missing"].reason
    assert "outside the archive" in by_name["outside"].reason
    assert report.codings_skipped == 6


def test_dry_run_writes_nothing(tmp_path):
    path = write_qdpx(tmp_path / "x.qdpx", [Src("iv", TEXT, [Sel(*at("the hotline"), "Hotline")], {"role": "prosecutor"})])
    project = fresh_project(tmp_path)
    report = import_project(project, path, ImportOptions(codebook_from_file=True, dry_run=True))
    assert report.dry_run and report.codings_added == 1 and report.sources[0].status == "new"
    _assert_untouched(project)


@pytest.mark.parametrize(
    ("options", "variables", "expected"),
    [
        ({"role": "prosecutor", "site": "Denver"}, {}, ("prosecutor", "Denver")),
        ({"role": "prosecutor"}, {"site": "Austin"}, ("prosecutor", "Austin")),
        ({"role": "prosecutor"}, {"role": "VSP"}, ("service_provider", "unspecified")),
    ],
)
def test_role_and_site_defaults(tmp_path, options, variables, expected):
    path = write_qdpx(tmp_path / "x.qdpx", [Src("iv", TEXT, [], variables)])
    project = fresh_project(tmp_path)
    import_project(project, path, ImportOptions(**options))
    with project.read() as conn:
        transcript = load_transcript(conn, "iv")
    assert (transcript.role, transcript.site) == expected


@pytest.mark.parametrize(
    ("variables", "options", "message"),
    [
        ({}, {}, r"source 'iv' has no role .* pass --role ROLE"),
        ({"role": "astronaut"}, {}, r"source 'iv': Unknown role 'astronaut'"),
    ],
)
def test_role_problems_are_refused(tmp_path, variables, options, message):
    path = write_qdpx(tmp_path / "x.qdpx", [Src("iv", TEXT, [], variables)])
    project = fresh_project(tmp_path)
    with pytest.raises(InteropError, match=message):
        import_project(project, path, ImportOptions(**options))
    _assert_untouched(project)


def test_as_coder_memos_and_idempotent_reimport(tmp_path):
    sels = [Sel(*at("the hotline"), "Hotline", user="ann", memo="first memo"), Sel(*at("Housing is short"), "Housing", user="ben")]
    path = write_qdpx(tmp_path / "x.qdpx", [Src("iv", TEXT, sels, {"role": "prosecutor"})])
    project = fresh_project(tmp_path)
    first = import_project(project, path, ImportOptions(codebook_from_file=True))
    assert first.coders == ["ann", "ben"]
    assert {(c.coder, c.text, c.memo) for c in list_codings(project)} == {
        ("ann", "the hotline", "first memo"), ("ben", "Housing is short", None)}
    again = import_project(project, path)
    assert again.codings_added == 0 and again.sources[0].already_present == 2
    other = import_project(project, path, ImportOptions(as_coder="carol"))
    assert other.coders == ["carol"] and other.codings_added == 2
    assert len(list_codings(project)) == 4


def test_reimporting_the_codebook_reuses_its_file(tmp_path):
    path = write_qdpx(tmp_path / "x.qdpx", [Src("iv", TEXT, [Sel(*at("the hotline"), "Hotline")], {"role": "other"})])
    project = fresh_project(tmp_path)
    first = import_project(project, path, ImportOptions(codebook_from_file=True))
    second = import_project(project, path, ImportOptions(codebook_from_file=True))
    assert first.codebook_file == second.codebook_file == "codebooks/x.yaml"
    assert sorted(p.name for p in (project.root / "codebooks").iterdir()) == ["codebook.yaml", "x.yaml"]
    assert (project.root / "codebooks" / "x.yaml").read_text(encoding="utf-8").startswith("# Imported from x.qdpx (TestTool 1.0)")


def test_an_import_is_one_undoable_action_per_coder(tmp_path):
    from qualcode.coding.listing import event_log
    from qualcode.coding.session import CodingSession

    sels = [Sel(*at("the hotline"), "Hotline", user="ann"), Sel(*at("Housing is short"), "Housing", user="ben")]
    project = fresh_project(tmp_path)
    import_project(project, write_qdpx(tmp_path / "x.qdpx", [Src("iv", TEXT, sels, {"role": "prosecutor"})]),
                   ImportOptions(codebook_from_file=True))
    log = event_log(project)
    assert [(e.action, e.coder, e.change) for e in log] == [("import", "ann", "insert"), ("import", "ben", "insert")]
    assert len({e.group for e in log}) == 2
    assert len(CodingSession(project, "ann").undo().removed) == 1
    assert [c.coder for c in list_codings(project)] == ["ben"]
    assert len(CodingSession(project, "ann").redo().added) == 1


def test_existing_transcript_with_other_text_is_refused(tmp_path):
    project = fresh_project(tmp_path)
    import_project(project, write_qdpx(tmp_path / "a.qdpx", [Src("iv", TEXT, [], {"role": "prosecutor"})]))
    changed = write_qdpx(tmp_path / "b.qdpx", [Src("iv", TEXT + " More.", [], {"role": "prosecutor"})])
    with pytest.raises(InteropError, match="transcript 'iv' already exists in the project with different text"):
        import_project(project, changed)
