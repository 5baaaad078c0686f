"""`qualcode import --replace` and re-imports through the CLI: re-anchoring counts and
orphans, corrections of role/site/attributes, and content imported twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_transcripts_cli import as_json, run
from tests.helpers import SIMILAR_ANSWERS

pytestmark = pytest.mark.coders('ana', 'bob')

TURNS = SIMILAR_ANSWERS
GOOD = "Interviewer: Where do referrals come from?\nRespondent: Mostly the hotline and police.\n\nInterviewer: And gaps?\nRespondent: Housing, always housing.\n"


def write_turns(path: Path, turns) -> Path:
    path.write_text("\n\n".join(f"{speaker}: {text}" for speaker, text in turns) + "\n", encoding="utf-8")
    return path


def test_a_deleted_answer_is_orphaned_not_moved_onto_another_turn(project, tmp_path):
    path = write_turns(tmp_path / "cases.txt", TURNS)
    assert run(project, "import", str(path), "--role", "VSP", "--site", "A").exit_code == 0
    assert run(project, "tag", "cases", "2", "referral.hotline", "--coder", "ana").exit_code == 0
    assert run(project, "tag", "cases", "4", "challenge.case_length", "--coder", "ana").exit_code == 0
    write_turns(path, TURNS[:2] + TURNS[4:])
    result = run(project, "import", str(path), "--role", "VSP", "--site", "A", "--replace")
    assert result.exit_code == 0, result.output
    assert "codings: 0 moved, 0 shortened, 1 orphaned" in result.output and "1 unchanged" in result.output
    (kept,) = as_json(project, "codings", "list")
    assert (kept["code"], kept["segment"], kept["text"]) == ("referral.hotline", 2, TURNS[1][1])
    (orphan,) = as_json(project, "codings", "orphans")
    assert orphan["code"] == "challenge.case_length" and orphan["text"] == TURNS[3][1]
    assert {"id", "transcript", "coder", "code", "start", "end", "text", "origin", "memo"} <= set(orphan)
    listed = run(project, "codings", "orphans", "--coder", "ana")
    assert TURNS[3][1] in listed.output and "1 orphaned codings" in listed.output
    assert as_json(project, "codings", "orphans", "--coder", "bob") == []


def test_replace_reports_moved_and_shortened(project, tmp_path):
    words = "one two three four five six seven eight nine ten"
    path = write_turns(tmp_path / "t.txt", [("Interviewer", "Go on?"), ("Respondent", f"{words}. Shelters are full.")])
    run(project, "import", str(path), "--role", "VSP", "--site", "A")
    run(project, "tag", "t", "2", "referral.hotline", "--coder", "ana", "--text", words)
    run(project, "tag", "t", "2", "challenge.housing", "--coder", "ana", "--text", "Shelters are full.")
    write_turns(path, [("Interviewer", "Go on, please?"), ("Respondent", "one two three four five six seven eight nine. Shelters are full.")])
    result = run(project, "import", str(path), "--role", "VSP", "--site", "A", "--replace")
    assert "codings: 1 moved, 1 shortened, 0 orphaned, 0 unchanged" in result.output


@pytest.mark.parametrize(
    ("option", "value", "stored"),
    [("--site", "B", "site"), ("--role", "LE", "role")],
)
def test_a_changed_role_or_site_is_refused_without_replace_and_applied_with_it(project, tmp_path, option, value, stored):
    path = tmp_path / "int.txt"
    path.write_text(GOOD, encoding="utf-8")
    run(project, "import", str(path), "--role", "VSP", "--site", "A")
    args = {"--role": "VSP", "--site": "A", option: value}
    flat = [x for pair in args.items() for x in pair]
    refused = run(project, "import", str(path), *flat)
    assert refused.exit_code == 1
    assert f"different {stored}" in refused.output and "qualcode transcripts set int" in refused.output
    before = as_json(project, "transcripts", "show", "int")
    assert (before["role"], before["site"]) == ("service_provider", "A")
    applied = run(project, "import", str(path), *flat, "--replace")
    assert applied.exit_code == 0 and "updated" in applied.output and f"corrected {stored}" in applied.output
    after = as_json(project, "transcripts", "show", "int")
    assert after[stored] == {"role": "law_enforcement", "site": "B"}[stored]


def test_role_change_by_replace_refuses_codings_that_would_not_apply(project, tmp_path):
    path = tmp_path / "int.txt"
    path.write_text(GOOD, encoding="utf-8")
    run(project, "import", str(path), "--role", "DA", "--site", "A")
    assert run(project, "tag", "int", "2", "pros.charging", "--coder", "ana").exit_code == 0
    path.write_text(GOOD.replace("police", "the police"), encoding="utf-8")
    result = run(project, "import", str(path), "--role", "VSP", "--site", "A", "--replace")
    assert result.exit_code == 1
    assert "pros.charging (1 by ana)" in result.output and "nothing changed" in result.output
    shown = as_json(project, "transcripts", "show", "int")
    assert shown["role"] == "prosecutor" and "the police" not in shown["segments"][1]["text"]


def test_replace_without_attr_keeps_the_attributes(project, tmp_path):
    path = tmp_path / "int.txt"
    path.write_text(GOOD, encoding="utf-8")
    run(project, "import", str(path), "--role", "VSP", "--site", "A", "--attr", "mode=virtual")
    path.write_text(GOOD.replace("police", "the police"), encoding="utf-8")
    assert run(project, "import", str(path), "--role", "VSP", "--site", "A", "--replace").exit_code == 0
    assert as_json(project, "transcripts", "show", "int")["attributes"] == {"mode": "virtual"}


@pytest.mark.parametrize(("variant", "how"), [(GOOD, "file"), (GOOD.replace("\n", "\r\n"), "text")])
def test_the_same_content_under_another_name_needs_allow_duplicate(project, tmp_path, variant, how):
    first = tmp_path / "first.txt"
    first.write_text(GOOD, encoding="utf-8")
    second = tmp_path / "second.txt"
    second.write_bytes(variant.encode("utf-8"))
    run(project, "import", str(first), "--role", "VSP", "--site", "A")
    refused = run(project, "import", str(second), "--role", "VSP", "--site", "A")
    assert refused.exit_code == 1
    assert f"same content as transcript 'first' (same {how})" in refused.output and "--allow-duplicate" in refused.output
    assert [t["id"] for t in as_json(project, "transcripts", "list")] == ["first"]
    allowed = run(project, "import", str(second), "--role", "VSP", "--site", "A", "--allow-duplicate")
    assert allowed.exit_code == 0 and "warning: same content as 'first'" in allowed.output
    assert [t["id"] for t in as_json(project, "transcripts", "list")] == ["first", "second"]


def test_two_copies_in_one_batch_are_refused(project, tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(GOOD, encoding="utf-8")
    result = run(project, "import", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--role", "VSP", "--site", "A")
    assert result.exit_code == 1 and "same content as transcript 'a'" in result.output
    assert as_json(project, "transcripts", "list") == []


def test_replace_of_changed_text_applies_a_new_site_and_says_so(project, tmp_path):
    path = tmp_path / "int.txt"
    path.write_text(GOOD, encoding="utf-8")
    run(project, "import", str(path), "--role", "VSP", "--site", "A")
    run(project, "tag", "int", "2", "referral.hotline", "--coder", "ana", "--text", "the hotline")
    path.write_text(GOOD.replace("Mostly", "Mostly, um,"), encoding="utf-8")
    result = run(project, "import", str(path), "--role", "VSP", "--site", "B", "--replace")
    assert result.exit_code == 0, result.output
    assert "replaced" in result.output and "corrected site A -> B" in result.output
    assert "codings: 1 moved, 0 shortened, 0 orphaned, 0 unchanged" in result.output
    assert as_json(project, "transcripts", "show", "int")["site"] == "B"
    assert [e["action"] for e in as_json(project, "log") if e["action"].startswith("transcript:")] == ["transcript:set"]
