"""`qualcode import` and `qualcode transcripts` through the CLI: messages, exit codes,
an unchanged store on bad input, idempotent re-import, and the --json shapes."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app

runner = CliRunner()

GOOD = "Interviewer: Where do referrals come from?\nRespondent: Mostly the hotline and police.\n\nInterviewer: And gaps?\nRespondent: Housing, always housing.\n"


def run(project, *args):
    return runner.invoke(app, ["-p", str(project.root), *args])


def listed(project):
    return json.loads(run(project, "transcripts", "list", "--json").output)


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def zip_bomb(path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * 300_000_000 + b"</w:document>")
    return write(path, buffer.getvalue())


BAD_FILES = {
    "empty.txt": (lambda p: write(p, b""), "empty"),
    "corrupt.docx": (lambda p: write(p, b"PK\x03\x04garbage-that-is-not-a-zip"), "docx"),
    "legacy.docx": (lambda p: write(p, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600), ".doc"),
    "junk.txt": (lambda p: write(p, bytes(range(256)) * 40), "binary"),
    "nocues.vtt": (lambda p: write(p, "WEBVTT\n\n"), "cue"),
    "bomb.docx": (zip_bomb, "inflate"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_input_is_one_line_exit_1_and_store_unchanged(project, tmp_path, name):
    make, fragment = BAD_FILES[name]
    good = write(tmp_path / "good.txt", GOOD)
    bad = make(tmp_path / name)
    result = run(project, "import", str(good), str(bad), "--role", "VSP", "--site", "A")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: {bad}: ")
    assert fragment.lower() in lines[0].lower()
    assert "Traceback" not in result.output
    assert listed(project) == []  # the good file was not imported either


def test_skip_bad_imports_the_good_and_lists_the_bad(project, tmp_path):
    good = write(tmp_path / "good.txt", GOOD)
    bad = write(tmp_path / "empty.txt", b"")
    result = run(project, "import", str(good), str(bad), "--role", "VSP", "--site", "A", "--skip-bad")
    assert result.exit_code == 3  # something was skipped: not a plain success
    assert f"Error: {bad}" in result.output
    assert "Skipped 1 bad file (exit code 3)." in result.output
    assert [t["id"] for t in listed(project)] == ["good"]


def test_unknown_role_lists_the_roles(project, tmp_path):
    good = write(tmp_path / "good.txt", GOOD)
    result = run(project, "import", str(good), "--role", "cop", "--site", "A")
    assert result.exit_code == 1
    assert "Unknown role 'cop'. Roles: law_enforcement, prosecutor, service_provider, other" in result.output
    assert listed(project) == []


def test_reimport_is_a_noop_and_changes_need_replace(project, tmp_path):
    path = write(tmp_path / "int.txt", GOOD)
    assert run(project, "import", str(path), "--role", "advocate", "--site", "A").exit_code == 0
    again = run(project, "import", str(path), "--role", "advocate", "--site", "A")
    assert again.exit_code == 0 and "already imported" in again.output
    write(path, GOOD.replace("Housing, always housing.", "Housing and transport."))
    refused = run(project, "import", str(path), "--role", "advocate", "--site", "A")
    assert refused.exit_code == 1 and "--replace" in refused.output
    shown = json.loads(run(project, "transcripts", "show", "int", "--json").output)
    assert "always housing" in shown["segments"][-1]["text"]
    replaced = run(project, "import", str(path), "--role", "advocate", "--site", "A", "--replace")
    assert replaced.exit_code == 0 and "replaced" in replaced.output
    shown = json.loads(run(project, "transcripts", "show", "int", "--json").output)
    assert shown["segments"][-1]["text"] == "Housing and transport."


def test_json_shapes(project, tmp_path):
    path = write(tmp_path / "int.txt", GOOD)
    run(project, "import", str(path), "--role", "DA", "--site", "C", "--attr", "mode=virtual")
    (row,) = listed(project)
    assert row == {
        "id": "int", "title": "int", "role": "prosecutor", "site": "C", "format": "text",
        "turns": 4, "respondent_turns": 2, "words": row["words"],
    }
    assert row["words"] == sum(len(t.split()) for t in ["Where do referrals come from?",
                               "Mostly the hotline and police.", "And gaps?", "Housing, always housing."])
    shown = json.loads(run(project, "transcripts", "show", "int", "--json").output)
    assert set(shown) == {"id", "title", "role", "site", "attributes", "preamble", "speakers", "segments"}
    assert shown["preamble"] == ""
    assert shown["attributes"] == {"mode": "virtual"}
    assert shown["speakers"] == ["Interviewer", "Respondent"]
    first = shown["segments"][0]
    assert set(first) == {"ordinal", "speaker", "is_interviewer", "start", "end", "text"}
    assert first["ordinal"] == 1 and first["is_interviewer"] is True


def test_offsets_index_the_normalised_text(project, tmp_path):
    from qualcode.store.transcripts import load_transcript

    path = write(tmp_path / "crlf.txt", GOOD.replace("\n", "\r\n"))
    run(project, "import", str(path), "--role", "LE", "--site", "B")
    shown = json.loads(run(project, "transcripts", "show", "crlf", "--json").output)
    with project.read() as conn:
        text = load_transcript(conn, "crlf").text
    assert "\r" not in text
    for seg in shown["segments"]:
        assert text[seg["start"] : seg["end"]] == seg["text"]


def test_manifest_import_and_row_numbers(project, tmp_path):
    write(tmp_path / "a.txt", GOOD)
    write(tmp_path / "b.txt", GOOD.replace("hotline", "tip line"))
    manifest = write(tmp_path / "m.csv", "file,role,site,mode\na.txt,LE,A,virtual\nb.txt,VSP,B,in_person\n")
    result = run(project, "import", "--manifest", str(manifest))
    assert result.exit_code == 0, result.output
    rows = {t["id"]: t for t in listed(project)}
    assert rows["a"]["role"] == "law_enforcement" and rows["b"]["site"] == "B"
    bad = write(tmp_path / "bad.csv", "file,role,site\na.txt,LE,A\nb.txt,cop,B\n")
    result = run(project, "import", "--manifest", str(bad))
    assert result.exit_code == 1
    assert "row 3" in result.output and "Unknown role 'cop'" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "no files given"),
        (["x.txt"], "--role and --site are required"),
        (["a.txt", "b.txt", "--role", "LE", "--site", "A", "--id", "one"], "--id names one transcript"),
        (["x.txt", "--role", "LE", "--site", "A", "--attr", "novalue"], "--attr expects key=value"),
    ],
)
def test_usage_errors(project, args, message):
    result = run(project, "import", *args)
    assert result.exit_code == 1 and message in result.output


def test_show_unknown_transcript(project):
    result = run(project, "transcripts", "show", "nope")
    assert result.exit_code == 1
    assert "No transcript 'nope'" in result.output


def test_a_failed_batch_lists_every_bad_file(project, tmp_path):
    good = write(tmp_path / "good.txt", GOOD)
    empty = write(tmp_path / "empty.txt", b"")
    legacy = write(tmp_path / "legacy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    unlabelled = write(tmp_path / "notes.txt", "Arrived at nine.\n\nLeft at noon.\n")
    result = run(project, "import", str(good), str(empty), str(legacy), str(unlabelled), "--role", "VSP", "--site", "A")
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert [line.split(": ")[1] for line in lines[:3]] == [str(empty), str(legacy), str(unlabelled)]
    assert "--speaker NAME" in lines[2]
    assert lines[3] == (
        "Error: nothing imported: 3 of 4 files are bad; fix them, or pass --skip-bad to import the good ones"
    )
    assert listed(project) == []


def test_skip_bad_with_nothing_bad_exits_0(project, tmp_path):
    good = write(tmp_path / "good.txt", GOOD)
    result = run(project, "import", str(good), "--role", "VSP", "--site", "A", "--skip-bad")
    assert result.exit_code == 0 and "Skipped" not in result.output


def test_skip_bad_when_every_file_is_bad_exits_3(project, tmp_path):
    bad = write(tmp_path / "empty.txt", b"")
    result = run(project, "import", str(bad), "--role", "VSP", "--site", "A", "--skip-bad")
    assert result.exit_code == 3
    assert listed(project) == []


def _folder(tmp_path):
    root = tmp_path / "batch"
    (root / "site-a" / "deep").mkdir(parents=True)
    write(root / "one.txt", GOOD)
    write(root / "site-a" / "two.md", GOOD.replace("hotline", "tip line"))
    write(root / "site-a" / "deep" / "three.txt", GOOD.replace("police", "nurses"))
    write(root / "site-a" / "readme.pdf", b"%PDF-1.4")
    write(root / "site-a" / "~$two.docx", b"lock")
    (root / ".hidden").mkdir()
    write(root / ".hidden" / "four.txt", GOOD)  # hidden folders are passed over
    return root


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ([], ["one", "three", "two"]),
        (["--glob", "*.txt"], ["one", "three"]),
        (["--glob", "site-a/*"], None),  # matches readme.pdf too: a bad file, so nothing is imported
    ],
    ids=["default-suffixes", "glob", "glob-with-a-bad-match"],
)
def test_folders_are_imported_recursively(project, tmp_path, extra, expected):
    root = _folder(tmp_path)
    result = run(project, "import", str(root), "--role", "VSP", "--site", "A", *extra)
    if expected is None:
        assert result.exit_code == 1 and "readme.pdf" in result.output
        assert listed(project) == []
    else:
        assert result.exit_code == 0, result.output
        assert sorted(t["id"] for t in listed(project)) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--glob", "*.docx"], "folder holds no files matching '*.docx'"),
        (["--id", "x"], "--id names one transcript; give one file with it (3 given)"),
    ],
)
def test_folder_usage_errors(project, tmp_path, args, message):
    root = _folder(tmp_path)
    result = run(project, "import", str(root), "--role", "VSP", "--site", "A", *args)
    assert result.exit_code == 1 and message in result.output
    assert listed(project) == []


def test_glob_without_a_folder_is_refused(project, tmp_path):
    good = write(tmp_path / "good.txt", GOOD)
    result = run(project, "import", str(good), "--role", "VSP", "--site", "A", "--glob", "*.txt")
    assert result.exit_code == 1 and "no folder was given" in result.output


def test_speaker_imports_an_unlabelled_document(project, tmp_path):
    notes = write(tmp_path / "notes.txt", "Arrived at nine.\nThe shelter was full.\n\nLeft at noon.\n")
    result = run(project, "import", str(notes), "--role", "VSP", "--site", "A", "--speaker", "Observer")
    assert result.exit_code == 0, result.output
    shown = json.loads(run(project, "transcripts", "show", "notes", "--json").output)
    assert [(s["speaker"], s["text"]) for s in shown["segments"]] == [
        ("Observer", "Arrived at nine. The shelter was full."),
        ("Observer", "Left at noon."),
    ]


def test_the_preamble_is_stored_uncoded_and_reported(project, tmp_path):
    path = write(tmp_path / "pre.txt", "Visit 3, Harbor City\nWe chatted before recording.\n\n" + GOOD)
    result = run(project, "import", str(path), "--role", "VSP", "--site", "A")
    assert result.exit_code == 0
    assert "pre: kept 2 lines (8 words) before the first speaker label as an uncoded preamble" in result.output
    shown = json.loads(run(project, "transcripts", "show", "pre", "--json").output)
    assert shown["preamble"] == "Visit 3, Harbor City\nWe chatted before recording."
    assert len(shown["segments"]) == 4 and "chatted" not in " ".join(s["text"] for s in shown["segments"])
    (row,) = listed(project)
    assert row["words"] == 15  # the preamble is not counted as speech
    text = run(project, "transcripts", "show", "pre").output
    assert "We chatted before recording." in text


def test_interviewer_option_with_a_comma_label(project, tmp_path):
    from tests.data.transcripts import make_fixtures

    paragraphs = ["Kim, Alex   0:05", "Where do referrals come from?", "Okafor, Sam   0:12", "The hotline, mostly."]
    path = make_fixtures.paragraphs_docx(paragraphs, tmp_path / "teams.docx")
    result = run(project, "import", str(path), "--role", "VSP", "--site", "A", "--interviewer", "Okafor, Sam")
    assert result.exit_code == 0, result.output
    shown = json.loads(run(project, "transcripts", "show", "teams", "--json").output)
    assert [(s["speaker"], s["is_interviewer"]) for s in shown["segments"]] == [
        ("Kim, Alex", False), ("Okafor, Sam", True),
    ]
