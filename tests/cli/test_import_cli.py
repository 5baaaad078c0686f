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
    assert result.exit_code == 0
    assert f"Error: {bad}" in result.output
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
    assert set(shown) == {"id", "title", "role", "site", "attributes", "speakers", "segments"}
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
