"""``qualcode/project.json`` in a .qdpx is shape-checked: every wrong type is one line."""

from __future__ import annotations

import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.errors import QualcodeError
from qualcode.interop.qdpx_import import ImportOptions, import_project
from tests.security.hostile import (
    assert_one_line_refusal,
    exported_qdpx,
    rewrite_entry,
    rewrite_sidecar,
    run_cli,
    snapshot,
)


def _first(document: dict, section: str) -> dict:
    return next(iter(document[section].values()))


def _in_transcript(key: str, value):
    return lambda d: _first(d, "transcripts").__setitem__(key, value)


def _in_coding(key: str, value):
    return lambda d: _first(d, "codings").__setitem__(key, value)


WRONG = {
    "project": (lambda d: d.__setitem__("project", ["x"]), "project must be a string"),
    "offsets": (lambda d: d.__setitem__("offsets", 5), "offsets must be a string"),
    "codebook": (lambda d: d.__setitem__("codebook", "x"), "codebook must be an object"),
    "codebook.file": (lambda d: d["codebook"].__setitem__("file", 5), "codebook.file must be a string"),
    "codebook.text": (lambda d: d["codebook"].__setitem__("text", {}), "codebook.text must be a string"),
    "transcripts": (lambda d: d.__setitem__("transcripts", []), "transcripts must be an object"),
    "transcript": (lambda d: d["transcripts"].__setitem__(next(iter(d["transcripts"])), "x"), "must be an object"),
    "id": (_in_transcript("id", 7), ".id must be a string"),
    "title": (_in_transcript("title", ["t"]), ".title must be a string"),
    "role": (_in_transcript("role", None), ".role must be a string"),
    "site": (_in_transcript("site", 3.5), ".site must be a string"),
    "format": (_in_transcript("format", {}), ".format must be a string"),
    "sha256": (_in_transcript("sha256", 1), ".sha256 must be a string"),
    "text_sha256": (_in_transcript("text_sha256", []), ".text_sha256 must be a string"),
    "attributes": (_in_transcript("attributes", ["a"]), ".attributes must be an object"),
    "attribute": (_in_transcript("attributes", {"a": {"b": 1}}), ".attributes[a] must be"),
    "segments": (_in_transcript("segments", "1-3"), ".segments must be a list"),
    "segment": (_in_transcript("segments", [[1, "x", False, "0", 5, None, None]]), ".segments[1] must be"),
    "codings": (lambda d: d.__setitem__("codings", [1]), "codings must be an object"),
    "origin": (_in_coding("origin", 1), ".origin must be a string"),
    "origin-word": (_in_coding("origin", "x" * 21), ".origin must be a lower-case word"),
    "confidence-range": (_in_coding("confidence", 7.5), ".confidence must be a number from 0 to 1"),
    "confidence": (_in_coding("confidence", "high"), ".confidence must be"),
    "created_at": (_in_coding("created_at", 1700000000), ".created_at must be a string"),
    "updated_at": (_in_coding("updated_at", [2024]), ".updated_at must be a string"),
}


@pytest.mark.parametrize("field", sorted(WRONG))
def test_a_wrong_type_in_the_sidecar_is_one_line_and_nothing_is_written(coded, victim, tmp_path, field):
    change, message = WRONG[field]
    path = rewrite_sidecar(exported_qdpx(coded, tmp_path / "x.qdpx"), change)
    before = snapshot(victim)
    result = run_cli(victim, "import-project", str(path), "--codebook-from-file")
    assert_one_line_refusal(result, "qualcode/project.json", message, "nothing was imported")
    assert snapshot(victim) == before


def test_a_wrong_type_never_echoes_transcript_text(coded, victim, tmp_path):
    secret = "Café 👩\u200d👩\u200d👧 hotline"
    path = rewrite_sidecar(exported_qdpx(coded, tmp_path / "x.qdpx"), _in_transcript("title", [secret]))
    line = assert_one_line_refusal(run_cli(victim, "import-project", str(path), "--codebook-from-file"))
    assert "Café" not in line and "a list of length 1" in line


def test_a_deeply_nested_sidecar_is_refused_in_one_line(coded, victim, tmp_path):
    path = exported_qdpx(coded, tmp_path / "x.qdpx")
    rewrite_entry(path, "qualcode/project.json", lambda _: b'{"format": 1, "project": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    before = snapshot(victim)
    assert_one_line_refusal(run_cli(victim, "import-project", str(path), "--codebook-from-file"), "nested too deeply")
    assert snapshot(victim) == before


# -- any JSON anywhere: a plan or one QualcodeError line, never another exception ------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**6) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)),
    max_leaves=6,
)
PLACES = ["project", "offsets", "codebook", "codebook.text", "transcripts", "transcript", "id", "title", "role",
          "site", "attributes", "segments", "segment", "codings", "coding", "origin", "confidence", "created_at"]


def _put(document: dict, place: str, value) -> None:
    transcript = next(iter(document["transcripts"].values()))
    coding = next(iter(document["codings"].values()))
    targets = {
        "codebook.text": (document["codebook"], "text"), "transcript": (document["transcripts"], next(iter(document["transcripts"]))),
        "coding": (document["codings"], next(iter(document["codings"]))), "segment": (transcript["segments"], 0),
        **{key: (transcript, key) for key in ("id", "title", "role", "site", "attributes", "segments")},
        **{key: (coding, key) for key in ("origin", "confidence", "created_at")},
    }
    parent, key = targets.get(place, (document, place))
    parent[key] = value


@pytest.fixture
def exported(coded, tmp_path):
    path = exported_qdpx(coded, tmp_path / "x.qdpx")
    with zipfile.ZipFile(path) as archive:
        return path, {info.filename: archive.read(info) for info in archive.infolist()}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(place=st.sampled_from(PLACES), value=JSON)
def test_any_json_anywhere_in_the_sidecar_plans_or_refuses_in_one_line(exported, victim, tmp_path, place, value):
    path, entries = exported
    document = json.loads(entries["qualcode/project.json"])
    _put(document, place, value)
    target = tmp_path / "fuzz.qdpx"
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, json.dumps(document) if name == "qualcode/project.json" else data)
    try:
        import_project(victim, target, ImportOptions(codebook_from_file=True, dry_run=True))
    except QualcodeError as error:
        assert "\n" not in str(error)
