"""Loading and validation: every error class, with line, column and message."""

from __future__ import annotations

import textwrap

import pytest

from qualcode.codebook import default_codebook_text, load_codebook, parse_codebook
from qualcode.errors import CodebookError, ValidationFailed

GOOD = """\
roles:
  law_enforcement: Law enforcement official
  prosecutor:
    label: Prosecutor
    aliases: [DA]
codes:
  - id: pros
    name: Prosecution
    roles: [prosecutor]
    children:
      - id: pros.charging
        name: Charging
"""


def problems_of(text: str, file: str = "cb.yaml") -> list[tuple[int, int, str]]:
    with pytest.raises(ValidationFailed) as caught:
        parse_codebook(textwrap.dedent(text), file=file)
    return [(p.line, p.column, p.message) for p in caught.value.problems]


def only_problem(text: str) -> tuple[int, int, str]:
    found = problems_of(text)
    assert len(found) == 1, found
    return found[0]


def test_good_codebook_loads_with_hash_and_lines():
    codebook = parse_codebook(GOOD, file="cb.yaml")
    assert list(codebook.codes) == ["pros", "pros.charging"]
    assert codebook.codes["pros.charging"].line == 11
    assert codebook.codes["pros.charging"].parent == "pros"
    assert codebook.roles["law_enforcement"].label == "Law enforcement official"
    assert len(codebook.hash) == 64 and codebook.text == GOOD and codebook.path == "cb.yaml"


def test_default_codebook_is_valid_with_the_four_roles():
    codebook = parse_codebook(default_codebook_text())
    assert list(codebook.roles) == ["law_enforcement", "prosecutor", "service_provider", "other"]
    assert codebook.roles["service_provider"].aliases == (
        "VSP",
        "advocate",
        "victim service provider",
        "provider",
    )
    assert len(codebook.codes) <= 1


def test_roles_absent_means_the_default_roles():
    codebook = parse_codebook("codes:\n  - {id: a, name: A}\n")
    assert list(codebook.roles) == ["law_enforcement", "prosecutor", "service_provider", "other"]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        pytest.param(
            "codes:\n  - id: a\n    name: [A\n",
            4,
            1,
            "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence started at line 3, column 11)",
            id="yaml-syntax",
        ),
        pytest.param(
            "codes:\n  - id: a\n    name: A\n    defintion: x\n",
            4,
            5,
            "Unknown key 'defintion' in code 'a' (did you mean 'definition'?). Allowed keys: id, name, "
            "definition, include, exclude, examples, roles, color, exclusive, codable, rules, children",
            id="unknown-code-key",
        ),
        pytest.param(
            "codes: []\ntitel: x\n",
            2,
            1,
            "Unknown key 'titel' in the codebook (top level) (did you mean 'title'?). "
            "Allowed keys: format, title, description, roles, codes",
            id="unknown-top-key",
        ),
        pytest.param(
            "codes:\n  - id: a\n    name: A\n  - id: a\n    name: B\n",
            4,
            9,
            "Duplicate code id 'a' (first defined at line 2); ids must be unique",
            id="duplicate-id",
        ),
        pytest.param(
            "codes:\n  - id: a\n    name: ''\n",
            3,
            11,
            "Code 'a' has an empty name; every code needs a non-empty 'name'",
            id="empty-name",
        ),
        pytest.param(
            "codes:\n  - id: a\n",
            2,
            5,
            "Code 'a' has an empty name; every code needs a non-empty 'name'",
            id="missing-name",
        ),
        pytest.param(
            "codes:\n  - id: a\n    name: A\n    roles: [prosecuter]\n",
            4,
            13,
            "Code 'a' names role 'prosecuter', which is not declared (did you mean 'prosecutor'?). "
            "Roles: law_enforcement, prosecutor, service_provider, other",
            id="undeclared-role",
        ),
        pytest.param(
            "codes:\n  - id: p\n    name: P\n    roles: [prosecutor]\n    children:\n"
            "      - id: p.c\n        name: C\n        roles: [prosecutor, law_enforcement]\n",
            8,
            29,
            "Code 'p.c' applies to role 'law_enforcement' but its parent 'p' applies only to: prosecutor; "
            "a child's roles must be a subset of its parent's",
            id="child-roles-not-subset",
        ),
        pytest.param(
            "codes:\n  - id: a\n    name: A\n    rules:\n      regex: ['(unclosed']\n",
            5,
            15,
            "Invalid regular expression '(unclosed' in rules of code 'a': missing ), unterminated subpattern "
            "at position 0; patterns use Python 're' syntax",
            id="invalid-regex",
        ),
        pytest.param(
            "codes:\n  - id: Referral Sources\n    name: A\n",
            2,
            9,
            "Invalid code id 'Referral Sources': ids are lowercase letters, digits, '_' and '-', in parts "
            "joined by dots (e.g. 'referral.hotline')",
            id="invalid-id",
        ),
        pytest.param(
            "codes:\n  - name: A\n",
            2,
            5,
            "A top-level code has no 'id'; every code needs a stable id such as 'referral.hotline'",
            id="missing-id",
        ),
        pytest.param(
            "codes:\n  - id: a\n    name: A\n    color: red\n",
            4,
            12,
            "Invalid color 'red' for code 'a': use #RRGGBB, e.g. '#1F77B4' (quoted)",
            id="bad-color",
        ),
        pytest.param(
            "codes:\n  - id: a\n    name: A\n    exclusive: true\n",
            2,
            5,
            "Code 'a' is 'exclusive: true' but has no children to make exclusive",
            id="exclusive-without-children",
        ),
        pytest.param(
            "codes:\n  - id: a\n    name: A\n    codable: sometimes\n",
            4,
            14,
            "'codable' of code 'a' must be true or false; got 'sometimes'",
            id="bad-bool",
        ),
        pytest.param(
            "codes:\n  - id: a\n    name: A\n    examples: {a: b}\n",
            4,
            15,
            "'examples' of code 'a' must be a list of text items; got a mapping",
            id="examples-not-list",
        ),
        pytest.param(
            "roles:\n  police: Police\n  cops:\n    label: Cops\n    aliases: [police]\ncodes: []\n",
            4,
            5,
            "Role 'cops' uses the name 'police', which already names role 'police'",
            id="alias-clash",
        ),
        pytest.param(
            "roles:\n  Law-Enforcement: LE\ncodes: []\n",
            2,
            3,
            "Invalid role key 'Law-Enforcement': use lowercase letters, digits and '_', starting with a "
            "letter (e.g. service_provider)",
            id="bad-role-key",
        ),
        pytest.param(
            "title: x\n",
            1,
            1,
            "The codebook has no 'codes' list; add 'codes:' with at least one code",
            id="no-codes",
        ),
        pytest.param(
            "format: 2\ncodes: []\n",
            1,
            9,
            "'format' must be a whole number from 1 to 1; got '2'",
            id="bad-format",
        ),
        pytest.param(
            "codes:\n  - id: a\n    name: A\n    name: B\n",
            4,
            5,
            "Duplicate key 'name' in code 'a' (first given at line 3)",
            id="duplicate-key",
        ),
    ],
)
def test_each_error_class_is_located_and_explained(text, line, column, message):
    assert only_problem(text) == (line, column, message)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("{phrasez: [x]}", "Unknown key 'phrasez' in rules of code 'a' (did you mean 'phrases'?)"),
        (
            "{near: [{terms: [a], within: 3}]}",
            "'terms' in 'near' in rules of code 'a' must name exactly two terms; got 1",
        ),
        (
            "{near: [{terms: [a, b], within: 0}]}",
            "'within' in 'near' in rules of code 'a' must be a whole number from 1 to 1000; got '0'",
        ),
        (
            "{fuzzy: [{term: Polaris, min_score: 200}]}",
            "'min_score' in 'fuzzy' in rules of code 'a' must be a whole number from 50 to 100; got '200'",
        ),
        ("{fuzzy: [{min_score: 90}]}", "an item of 'fuzzy' in rules of code 'a' needs a 'term'"),
        (
            "{exclude_within: far}",
            "'exclude_within' in rules of code 'a' (a token distance, or 'segment') must be a whole number",
        ),
        ("{phrases: ['']}", "empty phrase in 'phrases' in rules of code 'a'"),
        (
            "[x]",
            "rules of code 'a' must be a mapping with keys phrases, regex, fuzzy, near, exclude, exclude_within; got a list",
        ),
    ],
)
def test_rule_problems(rules, message):
    (line, _column, found) = only_problem(f"codes:\n  - id: a\n    name: A\n    rules: {rules}\n")
    assert line == 4 and found.startswith(message)


def test_rules_are_read_with_defaults():
    codebook = parse_codebook(
        "codes:\n  - id: a\n    name: A\n    rules:\n      phrases: [tip  line, hotline]\n"
        "      regex: ['\\bNCMEC\\b']\n      fuzzy: [Polaris, {term: CityXGuide, min_score: 80}]\n"
        "      near: [{terms: [labor, trafficking]}]\n      exclude: [sex]\n      exclude_within: segment\n"
    )
    rules = codebook.codes["a"].rules
    assert rules.phrases == ("tip line", "hotline")
    assert rules.regex == ("\\bNCMEC\\b",)
    assert [(f.term, f.min_score) for f in rules.fuzzy] == [("Polaris", 85), ("CityXGuide", 80)]
    assert [(n.terms, n.within) for n in rules.near] == [(("labor", "trafficking"), 10)]
    assert rules.exclude == ("sex",) and rules.exclude_within is None
    assert not rules.is_empty and codebook.codes["a"].rules.exclude_within is None


def test_every_problem_in_one_pass_sorted_by_line():
    text = """\
    roles:
      prosecutor: Prosecutor
    codes:
      - id: a
        name: A
        defintion: typo
        roles: [cop]
        children:
          - id: a.b
            name: ""
            rules: {regex: ['[']}
      - id: a
        name: again
    """
    found = problems_of(text)
    assert [(line, col) for line, col, _ in found] == [(6, 5), (7, 13), (10, 15), (11, 25), (12, 9)]
    assert [m.split(" ")[0] for _, _, m in found] == ["Unknown", "Code", "Code", "Invalid", "Duplicate"]
    assert "role 'cop', which is not declared" in found[1][2]
    assert "'a.b' has an empty name" in found[2][2]


def test_validation_failed_str_names_first_problem_and_count():
    with pytest.raises(ValidationFailed) as caught:
        parse_codebook("codes:\n  - id: a\n  - id: a\n", file="x.yaml")
    error = caught.value
    assert str(error).startswith("x.yaml:2:5: Code 'a' has an empty name")
    assert str(error).endswith("(and 2 more problems)")
    assert [str(p).split(":")[1] for p in error.problems] == ["2", "3", "3"]
    assert error.file_name == "x.yaml"


def test_load_codebook_missing_file(tmp_path):
    with pytest.raises(CodebookError, match="Codebook file not found"):
        load_codebook(tmp_path / "nope.yaml")


def test_load_codebook_reports_file_path(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text("codes:\n  - id: a\n    nam: A\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        load_codebook(path)
    assert str(caught.value.problems[0]).startswith(f"{path}:2:5: Code 'a' has an empty name")
    assert str(caught.value.problems[1]).startswith(f"{path}:3:5: Unknown key 'nam'")


def test_empty_file_is_a_problem():
    assert problems_of("") == [(None, None, "The codebook is empty; it needs at least a 'codes' list")]


def big_codebook(codes: int) -> str:
    lines = ["codes:"]
    for parent in range(codes // 10):
        lines += _code_lines(f"group{parent}", indent=2, roles="[law_enforcement, prosecutor]")
        lines.append("    children:")
        for child in range(9):
            lines += _code_lines(f"group{parent}.code{child}", indent=6)
    return "\n".join(lines) + "\n"


def _code_lines(code_id: str, indent: int, roles: str | None = None) -> list[str]:
    pad = " " * indent
    lines = [
        f"{pad}- id: {code_id}",
        f"{pad}  name: Name of {code_id}",
        f"{pad}  definition: A definition long enough to be realistic for {code_id}.",
        f"{pad}  include: When the respondent talks about {code_id}.",
        f"{pad}  exclude: When it is about something else.",
        f'{pad}  examples: ["An example quote for {code_id}."]',
        f"{pad}  rules: {{phrases: [word one, word two], regex: ['\\bthing\\b'], near: [{{terms: [a, b], within: 5}}]}}",
    ]
    if roles:
        lines.append(f"{pad}  roles: {roles}")
    return lines


def test_a_500_code_codebook_loads():
    # Its speed is measured by benchmarks/bench_codebook.py, never asserted here: a timed
    # test fails on a loaded machine and proves nothing on a fast one.
    codebook = parse_codebook(big_codebook(500))
    assert len(codebook.codes) == 500
    assert codebook.codes["group3.code2"].roles == frozenset({"law_enforcement", "prosecutor"})
