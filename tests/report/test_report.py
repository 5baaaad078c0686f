"""`build_report`: Markdown and Word files with real tables, embedded charts and commands."""

from __future__ import annotations

import re

import pytest

from qualcode.errors import QualcodeError
from qualcode.report import Section, Table, build_report, register_section, section_names, skipped
from qualcode.report import sections as registry
from tests.tally.seed_study import CODER

pytestmark = pytest.mark.coders("ann", "ben")


@pytest.fixture
def restore_sections():
    saved = list(registry.SECTIONS)
    yield
    registry.SECTIONS[:] = saved


def docx_tables(path):
    from docx import Document

    document = Document(str(path))
    return document, [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def test_report_files_tables_and_charts(seed_project, tmp_path):
    written = build_report(seed_project, tmp_path / "reports", coder=CODER, html=True)
    assert [p.name for p in written.paths] == ["study-report.md", "study-report.docx", "study-report.html"]
    document, tables = docx_tables(written.docx)
    built_tables = [t for s in written.sections for t in s.tables]
    assert len(tables) == len(built_tables) >= 7
    provider = next(t for t in tables if t[0][0] == "Referral sources" and t[-1] == ["Total", "151", "100.0"])
    assert provider[1] == ["Other law enforcement agencies", "31", "20.5"]
    assert provider[4] == ["Community organisations and members", "18", "11.9"]
    # one chart per role of the tally (3 roles), themes and the crosstab heatmap
    assert len(document.inline_shapes) == len(written.charts) == 6
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in written.charts)
    markdown = written.markdown.read_text(encoding="utf-8")
    assert markdown.count("**Table ") == len(tables)
    for chart in written.charts:
        assert f"](charts/{chart.name})" in markdown


def test_every_table_is_followed_by_its_command(seed_project, tmp_path):
    written = build_report(seed_project, tmp_path, coder=CODER)
    markdown = written.markdown.read_text(encoding="utf-8")
    blocks = re.split(r"\*\*Table \d+\. ", markdown)[1:]
    assert blocks and all(re.search(r"^(Command: `qualcode |Commands:)", b, re.MULTILINE) for b in blocks)
    assert "Command: `qualcode tally referral --by role --coder autocoder`" in markdown
    assert "- `qualcode tally challenge --count sites --rollup --coder autocoder`" in markdown
    from docx import Document

    paragraphs = [p.text for p in Document(str(written.docx)).paragraphs]
    assert "Command: qualcode crosstab role site" in paragraphs


def test_report_states_the_seed_numbers(seed_project, tmp_path):
    markdown = build_report(seed_project, tmp_path, coder=CODER).markdown.read_text(encoding="utf-8")
    assert "Referral sources were cited 151 times in the service provider interviews." in markdown
    assert "Referral sources were cited 157 times in the law enforcement official interviews." in markdown
    assert "insufficient resources (12 of 43 interviews, at 8 of the 10 sites)" in markdown


def test_absent_inputs_are_skipped_with_a_note(seed_project, tmp_path):
    written = build_report(seed_project, tmp_path, coder=CODER)
    agreement = next(s for s in written.sections if s.name == "agreement")
    assert agreement.skipped and "no two-coder double-coding sample" in agreement.skipped
    assert f"> Not included: {agreement.skipped}" in written.markdown.read_text(encoding="utf-8")


def test_a_project_without_codings_still_gets_a_report(project, interview, tmp_path):
    written = build_report(project, tmp_path)
    assert written.coder is None
    skipped_names = {s.name for s in written.sections if s.skipped}
    assert {"tallies", "crosstabs"} <= skipped_names
    assert "interview" not in skipped_names and "corpus" not in skipped_names


def test_the_report_twin_is_frozen_with_to_dict(project, interview, tmp_path):
    import dataclasses

    written = build_report(project, tmp_path, html=True)
    data = written.to_dict()
    assert [data["markdown"], data["docx"], data["html"]] == [str(p) for p in written.paths]
    assert [(s["name"], s["skipped"]) for s in data["sections"]] == [(s.name, s.skipped) for s in written.sections]
    assert data["coder"] is None and data["charts"] == [str(p) for p in written.charts]
    with pytest.raises(dataclasses.FrozenInstanceError):
        written.coder = "ann"  # type: ignore[misc]


def test_several_coders_need_a_choice(seed_project, tmp_path):
    with pytest.raises(QualcodeError, match="analysis set counts no codings"):
        build_report(seed_project, tmp_path)


def test_register_section_replaces_in_place_or_inserts(restore_sections, seed_project, tmp_path):
    register_section("quotes", lambda ctx: Section("Quote appendix").add("Quotes go here."))
    register_section("extra", lambda ctx: skipped("Extra", "nothing yet"), before="methods")
    names = section_names()
    assert names.index("quotes") == names.index("crosstabs") + 1
    assert names.index("extra") == names.index("methods") - 1
    written = build_report(seed_project, tmp_path, coder=CODER, sections=["quotes", "extra"])
    assert [s.title for s in written.sections] == ["Quote appendix", "Extra"]
    with pytest.raises(QualcodeError, match="No report section 'nope'"):
        register_section("x", lambda ctx: None, after="nope")


def test_a_failing_section_becomes_a_note(restore_sections, seed_project, tmp_path):
    def broken(ctx):
        raise QualcodeError("the quote store is locked")

    register_section("quotes", broken)
    written = build_report(seed_project, tmp_path, coder=CODER, sections=["quotes", "corpus"])
    assert written.sections[0].name == "corpus"
    assert written.sections[1].skipped == "could not be built: the quote store is locked"


def test_section_functions_can_be_named_by_module_path(restore_sections, seed_project, tmp_path):
    register_section("corpus", "qualcode.report.corpus:corpus_section")
    written = build_report(seed_project, tmp_path, coder=CODER, sections=["corpus"])
    assert isinstance(written.sections[0].tables[0], Table)
    with pytest.raises(QualcodeError, match="Unknown report section"):
        build_report(seed_project, tmp_path, sections=["nope"])


def test_agreement_section_with_a_double_coded_sample(seed_project, tmp_path, monkeypatch):
    from sqlalchemy import insert, select

    from tests.helpers import set_lead

    set_lead(seed_project, "lead")
    monkeypatch.setenv("QUALCODE_CODER", "lead")  # the lead reports on an open sample

    from qualcode.agreement.sampling import create_sample
    from qualcode.store.codings import ensure_coder
    from qualcode.store.schema import codings

    sample = create_sample(seed_project, "dc", fraction=0.2, coders=("ann", "ben"), stratify=("role",), seed=3)
    with seed_project.write() as conn:
        rows = conn.execute(select(codings).where(codings.c.coder == CODER,
                                                  codings.c.transcript_id.in_(sample.transcript_ids))).all()
        for coder in ("ann", "ben"):
            ensure_coder(conn, coder)
            keep = rows if coder == "ann" else rows[::2]
            conn.execute(insert(codings), [{**{k: v for k, v in r._mapping.items() if k != "id"}, "coder": coder}
                                           for r in keep])
    written = build_report(seed_project, tmp_path, coder=CODER, sections=["agreement"])
    section = written.sections[0]
    assert section.skipped is None
    captions = [t.caption for t in section.tables]
    assert captions[0] == "Double-coded transcripts by role (sample dc)"
    assert captions[1].startswith("Agreement by code")
    assert section.tables[1].command == "qualcode agreement --coders ann,ben --sample dc"
    agreement = [float(row[6]) for row in section.tables[1].rows]  # percentages, not proportions
    assert all(0 <= a <= 100 for a in agreement) and max(agreement) > 50
    assert len(section.charts) == 1 and section.charts[0].path.is_file()


def test_tall_charts_fit_on_a_word_page(tmp_path):
    from docx import Document
    from docx.shared import Inches

    from qualcode.report.model import Chart, Report
    from qualcode.report.writers import write_docx
    from qualcode.tally import agreement_chart

    rows = [{"code": f"c{i}", "kappa": 0.5, "ci_low": 0.2, "ci_high": 0.8} for i in range(80)]
    chart = agreement_chart(rows, tmp_path / "tall.png")
    report = Report("T", "S", [Section("Agreement").add(Chart("Tall", chart))])
    shape = Document(str(write_docx(report, tmp_path / "t.docx"))).inline_shapes[0]
    assert shape.height <= Inches(8.5) + 1 and shape.width < Inches(6)


@pytest.mark.parametrize(("header", "rows"), [
    (["Role", "N"], [["Law enforcement official", "12"]]),
    (["Code", "N", "Coded", "Both", "Only A", "Only B", "% agree", "Kappa", "95% CI", "Strength"],
     [["Other services (education, employment, medical)", "87", "10*", "1", "0", "1", "94.4", "0.64", "0.00 to 1.00",
       "almost perfect"]]),
])
def test_word_columns_fit_the_page_and_whole_words(header, rows):
    from qualcode.report.writers import (
        CELL_PADDING_INCHES,
        CHAR_INCHES,
        TABLE_WIDTH_INCHES,
        column_widths,
    )

    widths = column_widths(header, rows, char=CHAR_INCHES * 8 / 9)
    assert sum(widths) <= TABLE_WIDTH_INCHES + 1e-9
    for column, width in enumerate(widths):
        longest = max(len(w) for row in [header, *rows] for w in row[column].split())
        assert width >= CELL_PADDING_INCHES + CHAR_INCHES * 8 / 9 * longest - 1e-9  # no word breaks mid-word
    assert len(set(round(w, 2) for w in widths)) > 1  # sized to content, not one fixed width


def test_word_tables_carry_their_widths(seed_project, tmp_path):
    from docx import Document

    written = build_report(seed_project, tmp_path, coder=CODER)
    for table in Document(str(written.docx)).tables:
        widths = [cell.width for cell in table.rows[0].cells]
        assert all(widths) and sum(w.inches for w in widths) <= 6.5 + 0.01  # EMU rounding


def test_every_figure_states_its_n(seed_project, tmp_path):
    from qualcode.report.model import Chart
    from qualcode.report.writers import walk

    written = build_report(seed_project, tmp_path, coder=CODER)
    report = type("R", (), {"sections": written.sections})()
    charts = [b for _, s in walk(report) for b in s.blocks if isinstance(b, Chart)]
    assert charts and [c.caption for c in charts if "n = " not in c.caption] == []


def test_html_is_one_self_contained_page(seed_project, tmp_path):
    """The HTML report renders from the one file: no src/href leaves it, every chart is
    embedded as a data: URI holding the very PNG the report drew, and the CSS is inline."""
    import base64
    from html.parser import HTMLParser

    written = build_report(seed_project, tmp_path / "reports", coder=CODER, html=True)

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.refs, self.images, self.tags = [], [], []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            for name, value in attrs:
                if name in ("src", "href", "srcset", "poster", "data"):
                    self.refs.append(value or "")
                    if tag == "img":
                        self.images.append(value or "")

    page = written.html.read_text(encoding="utf-8")
    parser = Links()
    parser.feed(page)
    assert "link" not in parser.tags and "script" not in parser.tags and "style" in parser.tags
    assert all(ref.startswith("data:") for ref in parser.refs), [r[:60] for r in parser.refs if not r.startswith("data:")]
    assert "url(" not in page and "@import" not in page
    embedded = [base64.b64decode(src.split(",", 1)[1]) for src in parser.images]
    assert len(embedded) == len(written.charts) == 6
    assert embedded == [chart.read_bytes() for chart in written.charts]


def test_theme_shares_are_of_the_transcripts_the_code_applies_to(seed_project, tmp_path):
    """'% of respondents' for a theme coded only in service provider interviews (the ECM
    'services' codes apply to that role alone) is of the 20 service provider transcripts,
    not of all 43, and the table says so, with whose codings it counts."""
    from qualcode.project import Project
    from qualcode.store.transcripts import load_transcript, segment_ids
    from tests.tally.seed_study import _insert

    coded = ["vsp-01", "vsp-02", "vsp-03", "vsp-04", "vsp-05"]
    with seed_project.write() as conn:
        transcripts = {t: (load_transcript(conn, t), segment_ids(conn, t)) for t in coded}
        for tid in coded:
            _insert(conn, transcripts, CODER, "services.housing", tid, 0)
    config = seed_project.root / "qualcode.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[report]\nthemes = ["services"]\n', encoding="utf-8")
    project = Project(seed_project.root)
    try:
        written = build_report(project, tmp_path, coder=CODER)
    finally:
        project.close()
    _, tables = docx_tables(written.docx)
    (themes,) = [t for t in tables if t[0][:4] == ["Victim services (service provider protocol)", "References",
                                                   "Respondents", "% of respondents"]]
    assert ["Housing and shelter provided", "5", "5", "25.0", "5 of 10"] in themes  # 5 of 20, not 5 of 43
    markdown = written.markdown.read_text(encoding="utf-8")
    assert "Respondents: of the 20 transcripts of service provider interviews (the roles the code applies to)" \
        in markdown
    assert "Counts the codings of 'autocoder' on every transcript" in markdown.split("Respondents: of the 20")[1][:400]
    assert "--role service_provider" in markdown


def test_a_theme_child_of_fewer_roles_says_its_share_is_of_the_theme_s_transcripts(seed_project, tmp_path):
    """ECM 'prosecution' applies to prosecutors and law enforcement, two of its children to
    prosecutors only: the note says so rather than let 'of 23' pass for their base."""
    from qualcode.project import Project

    config = seed_project.root / "qualcode.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[report]\nthemes = ["prosecution"]\n', encoding="utf-8")
    project = Project(seed_project.root)
    try:
        markdown = build_report(project, tmp_path, coder=CODER).markdown.read_text(encoding="utf-8")
    finally:
        project.close()
    assert ("Respondents: of the 23 transcripts of law enforcement official and prosecutor interviews "
            "(the roles the code applies to)") in markdown
    assert "Length of prosecution applies to prosecutor interviews only" in markdown
    assert ": its share is still of all 23." in markdown
