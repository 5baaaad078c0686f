"""Growing the codebook from the coding screen: a new code, a code's texts edited, the YAML
file written back with its comments and order, validated, and stored as a new version."""

from __future__ import annotations

import pytest

from qualcode.codebook.grow import (
    CodeTexts,
    add_code,
    add_code_text,
    edit_code,
    edit_code_text,
)
from qualcode.codebook.loader import parse_codebook
from qualcode.codebook.versions import list_snapshots
from qualcode.errors import CodebookError

SOURCE = """\
# Study codebook — keep this comment
format: 1
roles:
  service_provider: {label: Service provider}
codes:
  - id: referral   # where cases come from
    name: Référence
    definition: |
      Where cases come from.
      Any source.

    # a comment between keys
    examples:
      - "The hotline."
      - Police.
    children:
      - id: referral.hotline
        name: Hotlines
        definition: 'National or local hotlines.'  # quoted
  # a comment between codes
  - {id: flow, name: Written in flow style}
  - id: challenge
    name: Challenges
    examples: ["It is hard."]
"""


def book(text=SOURCE):
    return parse_codebook(text, file=None)


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]


TEXTS = [
    CodeTexts("Tip lines", "Calls to a tip line.\nSecond line.", "Any tip line.", 'Calls "from" agencies: no.',
              ("They called the tip line.", "Ünïcode, too")),
    CodeTexts("Bare"),
]


@pytest.mark.parametrize("parent", ["referral", "referral.hotline", "challenge", None])
@pytest.mark.parametrize("texts", TEXTS, ids=["full", "bare"])
def test_a_new_code_goes_last_under_its_parent_and_nothing_else_changes(parent, texts):
    code_id, text = add_code_text(book(), parent, "tips", texts)
    new = book(text)
    assert code_id == (f"{parent}.tips" if parent else "tips")
    code = new.get(code_id)
    assert (code.name, code.definition, code.include, code.exclude, code.examples) == (
        texts.name, texts.definition, texts.include, texts.exclude, texts.examples)
    assert code.parent == parent
    siblings = [c.id for c in (new.children(parent) if parent else new.top_level())]
    assert siblings[-1] == code_id
    assert comments(text) == comments(SOURCE)
    assert [c for c in new.codes if c != code_id] == list(book().codes)


@pytest.mark.parametrize("code_id", ["referral", "referral.hotline", "challenge"])
@pytest.mark.parametrize("texts", TEXTS, ids=["full", "bare"])
def test_editing_a_codes_texts_keeps_the_rest_of_the_file(code_id, texts):
    text = edit_code_text(book(), code_id, texts)
    new, old = book(text), book()
    code = new.get(code_id)
    assert (code.name, code.definition, code.include, code.exclude, code.examples) == (
        texts.name, texts.definition, texts.include, texts.exclude, texts.examples)
    assert list(new.codes) == list(old.codes)
    assert comments(text) == comments(SOURCE)
    for other in set(old.codes) - {code_id}:
        assert (new.codes[other].name, new.codes[other].definition, new.codes[other].examples) == (
            old.codes[other].name, old.codes[other].definition, old.codes[other].examples)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: add_code_text(book(), "referral", "hotline", CodeTexts("X")), "already exists"),
    (lambda: add_code_text(book(), "referral", "Bad Id", CodeTexts("X")), "Invalid code id part"),
    (lambda: add_code_text(book(), "flow", "child", CodeTexts("X")), "flow style"),
    (lambda: edit_code_text(book(), "flow", CodeTexts("X")), "flow style"),
    (lambda: add_code_text(book(), "referral", "x", CodeTexts(" ")), "needs a name"),
    (lambda: edit_code_text(book(), "referral", CodeTexts("two\nlines")), "one line"),
])
def test_bad_edits_are_refused(call, message):
    with pytest.raises(CodebookError, match=message):
        call()


@pytest.mark.coders("ana")
def test_add_and_edit_write_the_file_and_store_a_new_version(project):
    path = project.codebook_path
    before = path.read_text(encoding="utf-8")
    result = add_code(project, "referral", "tips", CodeTexts("Tip lines", "Calls to a tip line."))
    assert result.code_id == "referral.tips" and project.codebook.get("referral.tips").name == "Tip lines"
    written = path.read_text(encoding="utf-8")
    assert "# A small codebook for tests" in written and written.startswith(before.splitlines()[0])
    edit_code(project, "referral.tips", CodeTexts("Tip lines", "Changed.", examples=("An example.",)))
    assert project.codebook.get("referral.tips").definition == "Changed."
    with project.read() as conn:
        hashes = [s.hash for s in list_snapshots(conn)]
    assert hashes[-1] == project.codebook.hash and len(hashes) == 3  # the first, the added, the edited
