"""Word transcripts: bold labels, tracked changes, text boxes, tables, headings, Teams headers."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.importers import parse_bytes, parse_file, word
from tests.data.transcripts import make_fixtures
from tests.helpers import DATA, SHARED

FIXTURES = DATA / "transcripts"
SPECIMENS = SHARED / "refdata" / "transcripts"


def speakers_and_texts(parsed):
    return [(turn.speaker, turn.text) for turn in parsed.turns]


def test_bold_labels_tracked_changes_soft_breaks_and_text_boxes():
    parsed = parse_file(FIXTURES / "bold_labels.docx")
    assert speakers_and_texts(parsed) == [
        ("INTERVIEWER", "How did the task force start?"),
        (
            "DET. RAMOS",
            (
                "It started in 2012 [place] with two detectives.\n"
                "We had no victim services partner at first. [inaudible 00:04:12]"
            ),
        ),
        ("INTERVIEWER", "And who referred cases to you?"),  # the tracked insertion is kept, the deletion dropped
        ("DET. RAMOS", "Mostly patrol.\nNote: that changed after 2015.\nSidebar: referral form v2"),
        ("INTERVIEWER", "Thank you."),
    ]


def test_text_box_is_read_once_not_again_from_its_fallback_copy():
    text = "\n".join(turn.text for turn in parse_file(FIXTURES / "bold_labels.docx").turns)
    assert text.count("Sidebar: referral form v2") == 1
    assert "at first?" not in text


def test_core_properties_title_wins():
    assert parse_file(FIXTURES / "bold_labels.docx").title == "Interview 7 - Harbor City task force"


def test_rev_table_with_header_row():
    parsed = parse_file(FIXTURES / "rev_table.docx")
    assert [(t.speaker, t.start_time, t.text) for t in parsed.turns] == [
        ("Interviewer", 5.0, "Can you describe your role?"),
        ("Maria Lopez", 9.0, "I coordinate victim services.\nMostly housing.\nAnd legal referrals."),
        ("Interviewer", 90.0, "Note: who funds that?"),
        ("Maria Lopez", 94.0, "A federal grant."),
    ]
    assert parsed.preamble == "Rev transcript export"


def test_table_columns_are_inferred_without_a_header_and_tables_keep_document_order():
    parsed = parse_file(FIXTURES / "headerless_table.docx")
    assert [(t.speaker, t.start_time, t.text) for t in parsed.turns] == [
        ("Q", 2.0, "What does the task force do first when a tip comes in?"),
        ("A", 10.0, "We screen it with the prosecutor, then assign a detective."),
        ("Q", 31.0, "How long does that usually take?\nAnd afterwards?"),
    ]


def test_nvivo_heading_paragraphs_hold_the_speaker():
    parsed = parse_file(FIXTURES / "nvivo_headings.docx")
    assert speakers_and_texts(parsed) == [
        ("Interviewer", "What kinds of cases reach your office?"),
        ("Respondent", "Mostly labor trafficking.\nSome sex trafficking cases too."),
        ("Interviewer", "Who brings them?"),
        ("Respondent", "The task force detectives."),
    ]
    assert parsed.title == "Interview with a prosecutor"


def test_teams_header_paragraphs_with_soft_breaks():
    parsed = parse_file(FIXTURES / "teams.docx")
    assert [(t.speaker, t.start_time, t.text) for t in parsed.turns] == [
        ("Jordan Lee", 4.0, "Thanks for joining. What changed this month?\nTake your time."),
        ("Sam Okafor", 12.0, "We hired a second advocate.\nShe starts on Monday."),
        ("Jordan Lee", 65.0, "Great."),
    ]
    assert "transcription" not in parsed.preamble
    assert parsed.notes == [
        "kept 2 lines (7 words) before the first speaker label as an uncoded preamble",
        "dropped 2 transcription-service lines (e.g. 'started transcription')",
    ]


def test_plain_name_colon_paragraphs():
    parsed = parse_file(FIXTURES / "plain_labels.docx")
    assert speakers_and_texts(parsed) == [
        ("Interviewer", "Where do survivors stay at first?"),
        ("Advocate", "In a motel, for a week or two.\nThen we look for shelter."),
        ("Interviewer", "Is there a shelter nearby?"),
        ("Advocate", "Only one, and it is often full."),
    ]
    assert parsed.title == "plain_labels" and parsed.format == "docx"


@pytest.mark.parametrize("bold_colon", [True, False], ids=["colon-in-bold", "colon-after-bold"])
def test_a_bold_label_seen_once_is_still_a_speaker(tmp_path, bold_colon):
    document = make_fixtures.new_document()
    make_fixtures.add_labelled(document, "INTERVIEWER", "What happened?", bold_colon=bold_colon)
    make_fixtures.add_labelled(document, "DET. RAMOS", "We raided it.", bold_colon=bold_colon)
    make_fixtures.add_labelled(document, "INTERVIEWER", "When?", bold_colon=bold_colon)
    parsed = parse_file(make_fixtures.save(document, tmp_path / "bold.docx"))
    assert [turn.speaker for turn in parsed.turns] == ["INTERVIEWER", "DET. RAMOS", "INTERVIEWER"]


def test_bold_prose_at_a_paragraph_start_is_not_a_label(tmp_path):
    document = make_fixtures.new_document()
    make_fixtures.add_labelled(document, "Interviewer", "Go on.")
    make_fixtures.add_labelled(document, "Respondent", "Fine.")
    make_fixtures.add_labelled(document, "Note", "this is emphasis, not a speaker.")
    parsed = parse_file(make_fixtures.save(document, tmp_path / "emphasis.docx"))
    assert speakers_and_texts(parsed)[-1] == ("Respondent", "Fine.\nNote: this is emphasis, not a speaker.")


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("legacy_doc.docx", "legacy Word 97-2003 .doc file renamed .docx"),
        ("truncated.docx", "is truncated or corrupt"),
        ("zip_bomb.docx", "zip bomb"),
    ],
)
def test_bad_packages(name, fragment):
    with pytest.raises(TranscriptImportError) as caught:
        parse_file(FIXTURES / name)
    assert fragment in caught.value.message
    assert caught.value.file.endswith(name)
    assert "\n" not in str(caught.value)


def _package(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return out.getvalue()


def test_total_inflated_size_is_capped_before_inflating(monkeypatch):
    data = _package({"word/document.xml": b"<x/>" + b" " * 5000})
    monkeypatch.setattr(word, "MAX_XML_BYTES", 4000)
    with pytest.raises(TranscriptImportError, match="would inflate to 0 MB of XML, more than"):
        parse_bytes(data, "big.docx")


def test_entry_count_is_capped(monkeypatch):
    monkeypatch.setattr(word, "MAX_ENTRIES", 3)
    data = _package({f"word/media/{i}.png": b"x" for i in range(4)})
    with pytest.raises(TranscriptImportError, match="has 4 entries in its ZIP package, more than the 3 allowed"):
        parse_bytes(data, "many.docx")


@pytest.mark.parametrize(
    ("entries", "fragment"),
    [
        ({"xl/workbook.xml": b"<workbook/>"}, "has no word/document.xml"),
        ({"word/document.xml": b"<w:document><unclosed>"}, "not well-formed XML"),
    ],
)
def test_packages_that_are_not_word_documents(entries, fragment):
    with pytest.raises(TranscriptImportError, match=fragment):
        parse_bytes(_package(entries), "odd.docx")


def test_document_xml_entities_are_not_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        b"<w:p><w:r><w:t>Interviewer: said &b;</w:t></w:r></w:p></w:body></w:document>"
    )
    parsed = parse_bytes(_package({"word/document.xml": bomb}), "entities.docx")
    assert [(turn.speaker, turn.text) for turn in parsed.turns] == [("Interviewer", "said")]


def _specimen(name: str) -> dict:
    path = SPECIMENS / name
    if not path.exists():
        pytest.skip(f"specimen {path} not available")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["teams-docx-specimen_bristlenose.json", "gmeet-docx-specimen_bristlenose.json"])
def test_real_export_specimens(tmp_path, name):
    specimen = _specimen(name)
    path = make_fixtures.paragraphs_docx(specimen["paragraphs"], tmp_path / "specimen.docx")
    parsed = parse_file(path)
    expected = specimen["expected"]
    assert len(parsed.turns) == expected["segment_count"]
    turn = parsed.turns[0]
    assert (turn.speaker, turn.start_time) == (expected["speaker_label"], expected["start_time"])
    assert turn.text.startswith(expected.get("text_starts_with", "Okay. Talking"))
    assert "transcription" not in turn.text.splitlines()[-1]  # Teams' closing marker is dropped
    assert "Gemini" not in turn.text and "computer generated" not in turn.text


def test_bold_running_on_past_the_label(tmp_path):
    document = make_fixtures.new_document()
    for label, speech in [
        ("INTERVIEWER", "Where did it start?"),
        ("SGT. CHEN", "At the port."),
        ("INTERVIEWER", "When?"),
    ]:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: {speech.split()[0]}").bold = True
        paragraph.add_run(" " + " ".join(speech.split()[1:]))
    parsed = parse_file(make_fixtures.save(document, tmp_path / "runon.docx"))
    assert speakers_and_texts(parsed) == [
        ("INTERVIEWER", "Where did it start?"),
        ("SGT. CHEN", "At the port."),
        ("INTERVIEWER", "When?"),
    ]


def test_strict_open_xml_namespace_is_read(tmp_path):
    path = make_fixtures.paragraphs_docx(["Interviewer: Who called?", "Respondent: A neighbour."], tmp_path / "s.docx")
    source = zipfile.ZipFile(path)
    entries = {info.filename: source.read(info.filename) for info in source.infolist()}
    entries["word/document.xml"] = entries["word/document.xml"].replace(
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        b"http://purl.oclc.org/ooxml/wordprocessingml/main",
    )
    parsed = parse_bytes(_package(entries), "strict.docx")
    assert speakers_and_texts(parsed) == [("Interviewer", "Who called?"), ("Respondent", "A neighbour.")]


def test_password_protected_docx_is_named_as_such():
    data = (FIXTURES / "legacy_doc.docx").read_bytes() + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(TranscriptImportError, match="is password-protected"):
        parse_bytes(data, "secret.docx")


W_DECL = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@pytest.mark.parametrize(
    ("body", "text", "bold"),
    [
        ("<w:r><w:t>plain</w:t></w:r>", "plain", ""),
        (
            '<w:hyperlink><w:r><w:t>link</w:t></w:r></w:hyperlink><w:r><w:t xml:space="preserve"> after</w:t></w:r>',
            "link after",
            "",
        ),
        (
            (
                '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r>'
            ),
            "7",
            "",
        ),
        ("<w:fldSimple><w:r><w:t>field</w:t></w:r></w:fldSimple>", "field", ""),
        (
            "<w:moveFrom><w:r><w:t>gone</w:t></w:r></w:moveFrom><w:moveTo><w:r><w:t>moved</w:t></w:r></w:moveTo>",
            "moved",
            "",
        ),
        ("<w:smartTag><w:r><w:t>tagged</w:t></w:r></w:smartTag>", "tagged", ""),
        (
            "<w:sdt><w:sdtPr><w:rPr><w:b/></w:rPr></w:sdtPr><w:sdtContent><w:r><w:t>control</w:t></w:r></w:sdtContent></w:sdt>",
            "control",
            "",
        ),
        (
            "<w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:noBreakHyphen/><w:t>c</w:t><w:cr/><w:t>d</w:t></w:r>",
            "a\tb-c\nd",
            "",
        ),
        (
            "<w:r><w:rPr><w:b/></w:rPr><w:t>ANN:</w:t></w:r><w:r><w:t xml:space='preserve'> hi</w:t></w:r>",
            "ANN: hi",
            "ANN:",
        ),
        ("<w:r><w:rPr><w:b w:val='0'/></w:rPr><w:t>ANN:</w:t></w:r><w:r><w:t> hi</w:t></w:r>", "ANN: hi", ""),
        ("<w:r><w:rPr><w:b w:val='true'/></w:rPr><w:t>ANN</w:t></w:r><w:r><w:t>: hi</w:t></w:r>", "ANN: hi", "ANN"),
    ],
    ids=[
        "plain",
        "hyperlink",
        "field-code",
        "fld-simple",
        "move",
        "smart-tag",
        "content-control",
        "tab-hyphen-cr",
        "bold",
        "bold-off",
        "bold-true",
    ],
)
def test_read_paragraph(body, text, bold):
    from lxml import etree

    from qualcode.transcripts.importers.docx_body import read_paragraph

    paragraph = etree.fromstring(f"<w:p {W_DECL}>{body}</w:p>")
    assert read_paragraph(paragraph)[:2] == (text, bold)


TEAMS_COMMA_NAMES = [
    "Kim, Alex (Interviewer)   0:05",
    "What brought you to the task force?",
    "Okafor, Sam   0:12",
    "We hired a second advocate.",
    "She starts on Monday.",
    "Kim, Alex (Interviewer)   1:05",
    "Great.",
]


@pytest.mark.parametrize("respondent", ["Okafor, Sam", "Sam Okafor"])
def test_teams_headers_with_comma_names_and_roles_lose_no_text(tmp_path, respondent):
    paragraphs = [p.replace("Okafor, Sam", respondent) for p in TEAMS_COMMA_NAMES]
    parsed = parse_file(make_fixtures.paragraphs_docx(paragraphs, tmp_path / "teams.docx"))
    assert [(t.speaker, t.start_time, t.text) for t in parsed.turns] == [
        ("Kim, Alex (Interviewer)", 5.0, "What brought you to the task force?"),
        (respondent, 12.0, "We hired a second advocate.\nShe starts on Monday."),
        ("Kim, Alex (Interviewer)", 65.0, "Great."),
    ]
    assert parsed.preamble == ""


def test_interviewer_option_names_a_comma_label(tmp_path):
    from qualcode.transcripts.speakers import detect_interviewers

    path = make_fixtures.paragraphs_docx([p.replace(" (Interviewer)", "") for p in TEAMS_COMMA_NAMES], tmp_path / "t.docx")
    turns = parse_file(path).turns
    assert detect_interviewers(turns, "Okafor, Sam") == {"Okafor, Sam"}
    assert detect_interviewers(turns, "Kim, Alex") == {"Kim, Alex"}


def test_speech_before_the_first_label_is_kept_as_the_preamble(tmp_path):
    paragraphs = ["Site visit, Harbor City", "We met at the shelter before the interview began.", *TEAMS_COMMA_NAMES]
    parsed = parse_file(make_fixtures.paragraphs_docx(paragraphs, tmp_path / "pre.docx"))
    assert parsed.preamble == "Site visit, Harbor City\nWe met at the shelter before the interview began."
    assert parsed.notes == ["kept 2 lines (13 words) before the first speaker label as an uncoded preamble"]
    assert len(parsed.turns) == 3


def test_a_document_without_labels_needs_speaker_and_then_gives_a_turn_per_paragraph(tmp_path):
    paragraphs = ["Arrived at 9. The shelter was full.", "Spoke with two advocates\nabout housing.", "Left at noon."]
    path = make_fixtures.paragraphs_docx(paragraphs, tmp_path / "notes.docx")
    with pytest.raises(TranscriptImportError, match="pass --speaker NAME"):
        parse_file(path)
    parsed = parse_file(path, speaker="Field notes (A. Kim)")
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("Field notes (A. Kim)", "Arrived at 9. The shelter was full."),
        ("Field notes (A. Kim)", "Spoke with two advocates\nabout housing."),
        ("Field notes (A. Kim)", "Left at noon."),
    ]


def test_speaker_refuses_a_labelled_document(tmp_path):
    path = make_fixtures.paragraphs_docx(TEAMS_COMMA_NAMES, tmp_path / "t.docx")
    with pytest.raises(TranscriptImportError, match=r"has speaker labels \('Kim, Alex \(Interviewer\)', 'Okafor, Sam'\)"):
        parse_file(path, speaker="Sam")


def _rewrite_headers(data: bytes, local_offset: int, central_offset: int, value_or_bit: int, *, flag: bool) -> bytes:
    """Set the encrypted flag (or the compression method) in every local and central ZIP header."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        start = out.find(signature)
        while start >= 0:
            if flag:
                out[start + offset] |= value_or_bit
            else:
                out[start + offset : start + offset + 2] = value_or_bit.to_bytes(2, "little")
            start = out.find(signature, start + 4)
    return bytes(out)


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: _rewrite_headers(d, 6, 8, 1, flag=True), "has an encrypted part"),
        (lambda d: _rewrite_headers(d, 8, 10, 99, flag=False), "uses ZIP compression method 99"),
        (lambda d: _rewrite_headers(d, 8, 10, 14, flag=False), "uses ZIP compression method 14"),
        (lambda d: d[:1633] + d[2633:], "is truncated or corrupt"),  # bytes cut from the middle
        (lambda d: d[:28452] + d[33452:], "is truncated or corrupt"),
    ],
    ids=["encrypted-flag", "unknown-method", "lzma-method", "cut-middle-1", "cut-middle-2"],
)
def test_damaged_packages_give_one_line(mutate, fragment):
    data = mutate((FIXTURES / "rev_table.docx").read_bytes())
    with pytest.raises(TranscriptImportError) as caught:
        parse_bytes(data, "damaged.docx")
    assert fragment in caught.value.message
    assert "\n" not in str(caught.value)
