"""Build the .docx transcript fixtures in this folder (run from anywhere).

    python tests/data/transcripts/make_fixtures.py

The files are committed; this script makes them reproducible. Entry timestamps in
the ZIP are pinned so that re-running produces identical bytes. Everything in the
fixtures is invented; the builder functions are also imported by the tests.
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.oxml.ns import qn
from lxml import etree

HERE = Path(__file__).resolve().parent
FIXED_TIME = (2020, 1, 1, 0, 0, 0)
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def new_document(title: str = ""):
    document = docx.Document()
    properties = document.core_properties
    properties.title = title
    properties.author = "qualcode fixtures"
    properties.created = properties.modified = datetime(2020, 1, 1, tzinfo=UTC)
    properties.last_modified_by = "qualcode fixtures"
    properties.revision = 1
    return document


def save(document, path: Path) -> Path:
    """Save with pinned ZIP timestamps so the bytes are reproducible."""
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(repin_zip(buffer.getvalue()))
    return path


def repin_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            pinned = zipfile.ZipInfo(info.filename, FIXED_TIME)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(pinned, source.read(info.filename))
    return out.getvalue()


def add_labelled(document, label: str, text: str, *, bold_colon: bool = True):
    """A paragraph opening with a bold speaker label."""
    paragraph = document.add_paragraph()
    if bold_colon:
        paragraph.add_run(f"{label}:").bold = True
        paragraph.add_run(f" {text}")
    else:
        paragraph.add_run(label).bold = True
        paragraph.add_run(f": {text}")
    return paragraph


def add_lines(document, lines: list[str]):
    """One paragraph whose lines are separated by soft line breaks (<w:br/>)."""
    paragraph = document.add_paragraph()
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if index < len(lines) - 1:
            run.add_break()
    return paragraph


def add_tracked_change(paragraph, inserted: str, deleted: str) -> None:
    """Append a tracked insertion and a tracked deletion to a paragraph."""
    insertion = etree.SubElement(paragraph._p, qn("w:ins"), {qn("w:id"): "1", qn("w:author"): "Editor"})
    run = etree.SubElement(insertion, qn("w:r"))
    text = etree.SubElement(run, qn("w:t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    text.text = inserted
    deletion = etree.SubElement(paragraph._p, qn("w:del"), {qn("w:id"): "2", qn("w:author"): "Editor"})
    run = etree.SubElement(deletion, qn("w:r"))
    etree.SubElement(run, qn("w:delText")).text = deleted


TEXT_BOX_XML = f"""
<w:r xmlns:w="{W_NS}"
     xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
     xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
     xmlns:v="urn:schemas-microsoft-com:vml">
  <mc:AlternateContent>
    <mc:Choice Requires="wps">
      <w:drawing><wps:txbx><w:txbxContent>
        <w:p><w:r><w:t>{{text}}</w:t></w:r></w:p>
      </w:txbxContent></wps:txbx></w:drawing>
    </mc:Choice>
    <mc:Fallback>
      <w:pict><v:shape><v:textbox><w:txbxContent>
        <w:p><w:r><w:t>{{text}}</w:t></w:r></w:p>
      </w:txbxContent></v:textbox></v:shape></w:pict>
    </mc:Fallback>
  </mc:AlternateContent>
</w:r>"""


def add_text_box(paragraph, text: str) -> None:
    """A text box anchored in the paragraph, with DrawingML content and its VML fallback copy."""
    paragraph._p.append(etree.fromstring(TEXT_BOX_XML.replace("{text}", text)))


def bold_labels(path: Path) -> Path:
    document = new_document("Interview 7 - Harbor City task force")
    add_labelled(document, "INTERVIEWER", "How did the task force start?")
    add_labelled(document, "DET. RAMOS", "It started in 2012 [place] with two detectives.")
    document.add_paragraph("We had no victim services partner at first. [inaudible 00:04:12]")
    paragraph = add_labelled(document, "INTERVIEWER", "And who referred cases", bold_colon=False)
    add_tracked_change(paragraph, " to you?", " at first?")
    paragraph = document.add_paragraph()
    paragraph.add_run("DET. RAMOS:").bold = True
    paragraph.add_run(" Mostly patrol.")
    paragraph.runs[-1].add_break()
    paragraph.add_run("Note: that changed after 2015.")
    add_text_box(paragraph, "Sidebar: referral form v2")
    add_labelled(document, "INTERVIEWER", "Thank you.")
    return save(document, path)


def rev_table(path: Path) -> Path:
    document = new_document()
    document.add_paragraph("Rev transcript export")
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Speaker", "Time", "Text"), strict=True):
        cell.text = text
    rows = [
        ("Interviewer", "00:00:05", "Can you describe your role?"),
        ("Maria Lopez", "00:00:09", "I coordinate victim services.\nMostly housing."),
        ("", "", "And legal referrals."),
        ("Interviewer", "00:01:30", "Note: who funds that?"),
        ("Maria Lopez", "00:01:34", "A federal grant."),
    ]
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    return save(document, path)


def headerless_table(path: Path) -> Path:
    document = new_document()
    table = document.add_table(rows=0, cols=3)
    rows = [
        ("[00:00:02]", "Q", "What does the task force do first when a tip comes in?"),
        ("[00:00:10]", "A", "We screen it with the prosecutor, then assign a detective."),
        ("[00:00:31]", "Q", "How long does that usually take?"),
    ]
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    metadata = document.add_table(rows=1, cols=1)
    metadata.rows[0].cells[0].text = "Q: And afterwards?"
    return save(document, path)


def nvivo_headings(path: Path) -> Path:
    document = new_document()
    document.add_paragraph("Interview with a prosecutor", style="Title")
    for speaker, paragraphs in [
        ("Interviewer", ["What kinds of cases reach your office?"]),
        ("Respondent", ["Mostly labor trafficking.", "Some sex trafficking cases too."]),
        ("Interviewer", ["Who brings them?"]),
        ("Respondent", ["The task force detectives."]),
    ]:
        document.add_heading(speaker, level=2)
        for text in paragraphs:
            document.add_paragraph(text)
    return save(document, path)


def paragraphs_docx(paragraphs: list[str], path: Path, title: str = "") -> Path:
    """One paragraph per string; newlines inside a string become soft line breaks (<w:br/>)."""
    document = new_document(title)
    for text in paragraphs:
        add_lines(document, text.split("\n"))
    return save(document, path)


def teams(path: Path) -> Path:
    return paragraphs_docx(
        [
            "Weekly check-in-20240301_101500-Meeting Recording",
            "1 March 2024, 10:15am",
            "Jordan Lee started transcription",
            "Jordan Lee   0:04\nThanks for joining. What changed this month?\nTake your time.",
            "Sam Okafor   0:12\nWe hired a second advocate.",
            "Sam Okafor   0:20\nShe starts on Monday.",
            "Jordan Lee   1:05\nGreat.",
            "Jordan Lee stopped transcription",
        ],
        path,
    )


def plain_labels(path: Path) -> Path:
    return paragraphs_docx(
        [
            "Site visit notes, Harbor City",
            "Interviewer: Where do survivors stay at first?",
            "Advocate: In a motel, for a week or two.",
            "Then we look for shelter.",
            "Interviewer: Is there a shelter nearby?",
            "Advocate: Only one, and it is often full.",
        ],
        path,
    )


def legacy_doc(path: Path) -> Path:
    """An OLE2 compound file (a Word 97-2003 .doc) renamed .docx."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(24) + b"\x3e\x00\x03\x00\xfe\xff"
    path.write_bytes(header + bytes(512 - len(header)) + b"Word.Document.8" + bytes(100))
    return path


def truncated(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def zip_bomb(path: Path, size: int = 20 * 1024 * 1024) -> Path:
    """A package whose document.xml inflates over a thousand times (20 MB from ~20 KB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(zipfile.ZipInfo("[Content_Types].xml", FIXED_TIME), "<Types/>")
        info = zipfile.ZipInfo("word/document.xml", FIXED_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        package.writestr(info, b"<w:document>" + b" " * size)
    path.write_bytes(out.getvalue())
    return path


def build_all(folder: Path = HERE) -> list[Path]:
    made = [
        bold_labels(folder / "bold_labels.docx"),
        rev_table(folder / "rev_table.docx"),
        headerless_table(folder / "headerless_table.docx"),
        nvivo_headings(folder / "nvivo_headings.docx"),
        teams(folder / "teams.docx"),
        plain_labels(folder / "plain_labels.docx"),
        legacy_doc(folder / "legacy_doc.docx"),
        zip_bomb(folder / "zip_bomb.docx"),
    ]
    made.append(truncated(folder / "truncated.docx", folder / "bold_labels.docx"))
    return made


if __name__ == "__main__":
    for made in build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(made.name, made.stat().st_size)
