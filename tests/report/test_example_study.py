"""`qualcode report` on the example study: the .docx and .md open cleanly, charts embedded.

The example transcripts are imported into a scratch copy (qualcode.demo); codings are
constructed directly (every respondent turn gets a referral stream and every third a
challenge), so the test does not depend on the autocoder.
"""

from __future__ import annotations

import pytest

from qualcode.report import build_report
from tests.helpers import REPO

MANIFEST = REPO / "transcripts" / "manifest.csv"


@pytest.fixture
def example(tmp_path):
    if not MANIFEST.is_file():
        pytest.skip("the example transcripts' manifest is not in this checkout")
    from qualcode.demo import import_example_transcripts, prepare_demo_project

    project = prepare_demo_project(REPO, tmp_path / "example")
    import_example_transcripts(project)
    code_every_respondent_turn(project)
    yield project
    project.close()


def code_every_respondent_turn(project) -> int:
    from sqlalchemy import select

    from qualcode.store.codings import ensure_coder, insert_coding
    from qualcode.store.schema import segments

    streams = [c.id for c in project.codebook.children("referral")]
    themes = [c.id for c in project.codebook.descendants("challenge") if c.codable]
    made = 0
    with project.write() as conn:
        ensure_coder(conn, "autocoder")
        turns = conn.execute(select(segments).where(segments.c.is_interviewer.is_(False))
                             .order_by(segments.c.transcript_id, segments.c.ordinal)).all()
        for n, turn in enumerate(turns):
            codes = [streams[(n * 7) % len(streams)]] + ([themes[n % len(themes)]] if n % 3 == 0 else [])
            for code in codes:
                insert_coding(conn, {"transcript_id": turn.transcript_id, "segment_id": turn.id,
                                     "coder": "autocoder", "code_id": code, "start_offset": turn.start_offset,
                                     "end_offset": turn.end_offset, "origin": "rules"})
                made += 1
    return made


def test_example_report_opens_with_tables_and_charts(example):
    from docx import Document

    written = build_report(example, example.root / "reports", coder="autocoder", html=True)
    document = Document(str(written.docx))
    built = [t for s in written.sections for t in s.tables]
    assert len(document.tables) == len(built)
    for table, expected in zip(document.tables, built, strict=True):
        assert [c.text for c in table.rows[0].cells] == expected.header
        assert len(table.rows) == 1 + len(expected.rows)
    first = document.tables[0]  # transcripts by role and site
    assert first.rows[0].cells[0].text == "Role"
    assert first.rows[-1].cells[-1].text == str(len(example_transcripts()))
    assert len(document.inline_shapes) == len(written.charts) >= 4
    markdown = written.markdown.read_text(encoding="utf-8")
    assert markdown.startswith("# ECM task force evaluation")
    assert "## Referral sources by stakeholder role" in markdown
    assert "Command: `qualcode tally referral --by role --coder autocoder`" in markdown
    assert all((written.markdown.parent / "charts" / c.name).is_file() for c in written.charts)
    assert "<table>" in written.html.read_text(encoding="utf-8")


def example_transcripts() -> list[str]:
    import csv

    with MANIFEST.open(encoding="utf-8") as handle:
        return [row["file"] for row in csv.DictReader(handle)]
