"""The Word export, opened with python-docx: headings with definitions, quotes as block
quotes with attribution lines, the provenance appendix."""

from __future__ import annotations

import pytest

from qualcode.quotes.docx_writer import APPENDIX_TITLE, QUOTE_STYLE
from qualcode.quotes.quoteset import build_quote_set
from qualcode.quotes.selection import QuoteQuery
from qualcode.quotes.writers import export_quote_set

pytestmark = pytest.mark.coders("ana")


@pytest.fixture
def document(study, tmp_path):
    from docx import Document

    quote_set = build_quote_set(study, QuoteQuery(coder="ana", codes=("challenge",), order="transcript", context=1))
    path = export_quote_set(quote_set, tmp_path / "challenge.docx")
    return Document(str(path)), quote_set


def paragraphs(document, style_prefix: str):
    return [p for p in document.paragraphs if p.style.name.startswith(style_prefix)]


def test_headings_with_definitions(document):
    doc, _ = document
    assert [(p.style.name, p.text) for p in paragraphs(doc, "Heading")] == [
        ("Heading 1", "Challenges"),
        ("Heading 2", "Case length"),
        ("Heading 2", "Housing gap"),
        ("Heading 1", APPENDIX_TITLE),
    ]
    texts = [p.text for p in doc.paragraphs]
    definition = texts[texts.index("Case length") + 1]
    assert definition == "Time cases take." and doc.paragraphs[texts.index("Case length") + 1].runs[0].italic
    assert paragraphs(doc, "Title")[0].text == "Quote set: Challenges"


def test_quotes_are_block_quotes_with_attribution(document):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc, quote_set = document
    quoted = [p.text for p in paragraphs(doc, QUOTE_STYLE)]
    for quote in quote_set.quotes:
        at = quoted.index(quote.text)
        assert quoted[at - 1] == quote.context[-1] and quoted[at - 1].startswith("Q: ")
        assert quoted[at + 1] == quote.attribution
    attributions = [p for p in paragraphs(doc, QUOTE_STYLE) if p.text.startswith("—")]
    assert len(attributions) == len(quote_set.quotes) == 4
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in attributions)


def test_provenance_appendix_maps_quotes(document):
    doc, quote_set = document
    table = doc.tables[-1]
    header = [c.text for c in table.rows[0].cells]
    assert header[:6] == ["#", "Code", "Transcript", "Segment", "Span", "Coder"]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    quoted = [p.text for p in paragraphs(doc, QUOTE_STYLE) if not p.text.startswith(("Q: ", "—"))]
    by_number = {q.number: q for q in quote_set.quotes}
    for row, text in zip(rows, quoted, strict=True):  # the table follows the document
        quote = by_number[int(row[0])]
        assert (row[1], row[2], row[3], row[5]) == (quote.code, quote.transcript, str(quote.segment), "ana")
        assert quote.text == text and text.startswith(row[7])
    bullets = [p.text for p in paragraphs(doc, "List Bullet")]
    assert any(b.startswith("Coder: ana") for b in bullets)


def test_no_provenance_leaves_no_transcript_ids(study, tmp_path):
    from docx import Document

    quote_set = build_quote_set(study, QuoteQuery(coder="ana", codes=("challenge",)))
    doc = Document(str(export_quote_set(quote_set, tmp_path / "c.docx", provenance=False)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert not doc.tables and APPENDIX_TITLE not in text
    assert not any(tid in text for tid in ("vsp-1", "vsp-2", "le-1", "pros-1"))


def test_group_by_role(study, tmp_path):
    from docx import Document

    quote_set = build_quote_set(study, QuoteQuery(coder="ana", codes=("challenge",)))
    doc = Document(str(export_quote_set(quote_set, tmp_path / "r.docx", by="role")))
    assert [p.text for p in paragraphs(doc, "Heading 1")][:3] == [
        "Law enforcement official", "Prosecutor", "Service provider"
    ]
