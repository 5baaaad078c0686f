"""Project redaction rules: terms longest first, patterns, per-transcript lists,
speaker names, validation — and the example study's rules on its planted identifiers."""

from __future__ import annotations

import tomllib

import pytest

from qualcode.errors import ProjectError
from qualcode.quotes.redaction import (
    BUILTIN_KEYS,
    Redactor,
    load_rules,
    rules_from_config,
    speaker_name_words,
)
from tests.helpers import REPO

EXAMPLE_RULES = {
    "names": ["Tasha", "Detective Ramos", "Ramos", "Mike Kowalski", "Kowalski", "Ms. Alvarez", "Alvarez"],
    "places": ["Riverton", "Marlow County", "Eastport", "Cedar Falls", "Harlan"],
    "agencies": ["Riverton PD", "Marlow County Sheriff's Office", "Harbor House"],
}


def redact(text: str, transcript: str | None = None, speakers=(), **section) -> str:
    return Redactor(rules_from_config(section or EXAMPLE_RULES)).redact(text, transcript, tuple(speakers))


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("the Marlow County Sheriff's Office next door", "the [agency] next door"),
        ("out in Marlow County", "out in [place]"),
        ("Riverton PD, mostly", "[agency], mostly"),
        ("schools in Riverton", "schools in [place]"),
        ("Detective Ramos on the task force", "[name] on the task force"),
        ("Ms. Alvarez's program", "[name]'s program"),
        ("a sergeant, Mike Kowalski, who", "a sergeant, [name], who"),
        ("Tasha, who runs our group", "[name], who runs our group"),
        ("the Marlow\nCounty Sheriff’s Office", "the [agency]"),  # line break, curly apostrophe
        ("HARBOR HOUSE and harbor house", "[agency] and [agency]"),  # case-insensitive
        ("Harlanville and Riverton's", "Harlanville and [place]'s"),  # whole words only
    ],
)
def test_terms_longest_first_whole_words(text, masked):
    assert redact(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("the tip line is (555) 014-2298, call it", "the tip line is [phone], call it"),
        ("call 555-014-2298 or 555.014.2298", "call [phone] or [phone]"),
        ("email tasha.b@example.org today", "email [email] today"),
        ("she lived at 1420 Oak Street near the school", "she lived at [address] near the school"),
        ("we saw 12 girls on 3 nights", "we saw 12 girls on 3 nights"),
    ],
)
def test_builtin_patterns(text, masked):
    assert redact(text, names=[]) == masked


def test_builtin_patterns_can_be_switched_off_and_allowed():
    assert redact("call (555) 014-2298", builtin=[]) == "call (555) 014-2298"
    assert redact("call 1-888-373-7888 now", allow=["1-888-373-7888"]) == "call 1-888-373-7888 now"


def test_project_patterns_and_per_transcript_terms():
    section = {
        "patterns": [{"regex": r"\bRPD\b", "mask": "[agency]"}],
        "transcripts": {"vsp-1": {"names": ["Dana"], "places": ["Oakdale"]}},
        "builtin": [],  # else the name detector masks Dana in every transcript
    }
    assert redact("RPD called Dana in Oakdale", "vsp-1", **section) == "[agency] called [name] in [place]"
    assert redact("RPD called Dana in Oakdale", "vsp-2", **section) == "[agency] called Dana in Oakdale"


def test_speaker_labels_give_names_to_mask():
    assert speaker_name_words(["DET. RAMOS", "INTERVIEWER", "Jordan Lee", "Speaker 2", "Q"]) == [
        "Ramos", "Jordan", "Lee"
    ]
    text = "Jordan asked and Ramos said the lee side"
    assert redact(text, "t", ["Jordan Lee", "DET. RAMOS"], names=[]) == "[name] asked and [name] said the lee side"
    assert redact(text, "t", ["Jordan Lee"], names=[], speaker_names=False, builtin=[]) == text


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"nmaes": ["x"]}, "unknown key 'nmaes'"),
        ({"names": "Tasha"}, "names must be a list of strings"),
        ({"builtin": ["fax"]}, "unknown detector 'fax'; allowed: phone, email, address, date"),
        ({"patterns": [{"regex": "(unclosed"}]}, "invalid regex '(unclosed'"),
        ({"patterns": ["RPD"]}, "expected {regex"),
        ({"speaker_names": "yes"}, "speaker_names must be true or false"),
        ({"transcripts": {"vsp-1": {"people": ["x"]}}}, "[redaction.transcripts.vsp-1]: unknown key 'people'"),
    ],
)
def test_bad_config_is_refused_with_what_is_allowed(section, message):
    with pytest.raises(ProjectError) as raised:
        rules_from_config(section, source="qualcode.toml")
    assert message in str(raised.value)
    assert raised.value.file == "qualcode.toml"


def test_project_without_section_has_builtin_rules_only(project):
    rules = load_rules(project)
    assert rules.terms.names == () and rules.builtin == BUILTIN_KEYS


PLANTED = [
    "Riverton", "Marlow County", "Eastport", "Cedar Falls", "Harlan", "Riverton PD",
    "Marlow County Sheriff's Office", "Harbor House", "Tasha", "Detective Ramos", "Mike Kowalski",
    "Ms. Alvarez", "(555) 014-2298",
]


def example_rules():
    config = tomllib.loads((REPO / "qualcode.toml").read_text(encoding="utf-8"))
    return rules_from_config(config.get("redaction", {}))


def test_example_project_rules_mask_every_planted_identifier():
    redactor = Redactor(example_rules())
    for identifier in PLANTED:
        masked = redactor.redact(f"They said {identifier} helped.")
        assert identifier not in masked and "[" in masked, identifier
    assert redactor.redact("the Marlow County Sheriff's Office") == "the [agency]"


def test_example_transcripts_have_no_planted_identifier_left(tmp_path):
    """Import the example study and redact every turn: none of the list survives."""
    import csv

    from qualcode.demo import prepare_demo_project
    from qualcode.transcripts.importing import ImportRequest, import_transcripts

    if not (REPO / "transcripts").is_dir():
        pytest.skip("example transcripts absent")
    project = prepare_demo_project(REPO, tmp_path / "demo")
    roles = {"le": "law_enforcement", "pros": "prosecutor", "vsp": "service_provider", "oth": "other"}
    manifest = project.root / "transcripts" / "manifest.csv"
    if manifest.is_file():
        rows = list(csv.DictReader(manifest.open(encoding="utf-8")))
    else:
        rows = [{"file": p.name, "role": roles[p.name.split("-")[0]], "site": p.name.split("-")[1].upper()}
                for p in (project.root / "transcripts").iterdir() if p.name.split("-")[0] in roles]
    requests = [ImportRequest(project.root / "transcripts" / r["file"], r["role"], r["site"]) for r in rows]
    import_transcripts(project, requests, skip_bad=True)
    from qualcode.store.transcripts import load_transcript, transcript_ids

    redactor = Redactor(load_rules(project))
    found_planted = 0
    with project.read() as conn:
        for tid in transcript_ids(conn):
            transcript = load_transcript(conn, tid)
            for segment in transcript.segments:
                raw = transcript.segment_text(segment)
                found_planted += any(p.lower() in raw.lower() for p in PLANTED)
                masked = redactor.redact(raw, tid, tuple(transcript.speakers)).lower()
                leaked = [p for p in PLANTED if p.lower() in masked]
                assert not leaked, f"{tid} segment {segment.ordinal}: {leaked}"
    project.close()
    assert found_planted > 5  # the corpus really plants them
