"""Printable codebooks (Markdown, Word) for coder training."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.codebook import load_codebook
from qualcode.codebook.documents import codebook_to_markdown, write_docx

ECM = Path(__file__).resolve().parents[2] / "codebooks" / "ecm.yaml"


@pytest.fixture(scope="module")
def ecm():
    return load_codebook(ECM)


def test_markdown_has_roles_and_every_code(ecm):
    text = codebook_to_markdown(ecm)
    assert text.startswith("# ECM human trafficking task force evaluation\n")
    assert "| `prosecutor` | Prosecutor | DA, district attorney, AUSA, attorney |" in text
    for code in ecm.codes.values():
        assert f"— `{code.id}`" in text
    assert "#### Length of prosecution — `prosecution.length`" in text
    assert "**Applies to:** Prosecutor\n" in text
    assert (
        "### Investigating trafficking (law enforcement protocol) — `investigation` (grouping only, not applied)"
        in text
    )
    assert "- “There's always a need for housing.”" in text


def test_docx_has_headings_definitions_and_examples(tmp_path, ecm):
    docx = pytest.importorskip("docx")
    path = tmp_path / "codebook.docx"
    write_docx(ecm, path)
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Hotlines and tip lines (referral.hotline)" in headings
    assert len([h for h in headings if h.endswith(")")]) == len(ecm.codes)
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("Definition: National or local hotlines") for t in texts)
    assert "“There's always a need for housing.”" in texts
    assert [c.text for c in document.tables[0].rows[1].cells] == [
        "law_enforcement",
        "Law enforcement official",
        "LE, police, officer, detective, sheriff",
    ]
