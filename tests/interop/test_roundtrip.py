"""export -> import into a fresh project reproduces the project exactly."""

from __future__ import annotations

import pytest

from qualcode.coding.listing import list_codings
from qualcode.interop.qdpx_export import export_qdpx
from qualcode.interop.qdpx_import import ImportOptions, import_project
from qualcode.interop.roundtrip import compare_projects, round_trip
from tests.interop.conftest import fresh_project
from tests.interop.refi_builders import Sel, Src, utf16_span, write_qdpx


def test_round_trip_is_exact(coded, tmp_path):
    result = round_trip(coded, tmp_path / "rt.qdpx", workdir=tmp_path)
    assert result.differences == []
    assert result.exact and (result.transcripts, result.codings, result.coders) == (2, 6, 2)
    assert "round trip exact" in result.summary()


def test_round_trip_texts_under_every_span(coded, tmp_path):
    export_qdpx(coded, tmp_path / "rt.qdpx")
    fresh = fresh_project(tmp_path)
    import_project(fresh, tmp_path / "rt.qdpx", ImportOptions(codebook_from_file=True))
    def key(c):
        return (c.coder, c.transcript, c.code, c.start, c.end, c.text, c.memo, c.origin)

    assert sorted(map(key, list_codings(fresh))) == sorted(map(key, list_codings(coded)))
    assert fresh.codebook.text == coded.codebook.text


def test_without_the_sidecar_only_what_refi_cannot_say_is_lost(coded, tmp_path):
    export_qdpx(coded, tmp_path / "plain.qdpx", sidecar=False)
    fresh = fresh_project(tmp_path)
    report = import_project(fresh, tmp_path / "plain.qdpx", ImportOptions(codebook_from_file=True))
    assert report.codebook_source == "REFI-QDA <CodeBook>"
    assert {s.segmentation for s in report.sources} == {"speaker labels"}
    differences = compare_projects(coded, fresh)
    # Texts, segments, roles, sites, codebook fields and spans survive; the coding origin does not.
    assert differences and all(d.startswith(("coding lost or changed", "coding appeared")) for d in differences)
    assert {(c.coder, c.text, c.origin) for c in list_codings(fresh)} == {
        (c.coder, c.text, "import") for c in list_codings(coded)}


@pytest.mark.parametrize("origin", ["NVivo for Windows 12.6", "qc 1.3.2"])
def test_foreign_crlf_emoji_combining_survive_a_second_trip(tmp_path, origin):
    raw = "Line one 😀 café\r\nLine two e\u0301te\u0301 q\u0323\u0307 👩\u200d👧 end\r\nLine three"
    words = ["café", "te\u0301 q\u0323\u0307 👩\u200d👧", "Line three"]
    count = (lambda s, e: utf16_span(raw, s, e)) if origin.startswith("NVivo") else (lambda s, e: (s, e))
    sels = [Sel(*count(raw.index(w), raw.index(w) + len(w)), "Hotline") for w in words]
    path = write_qdpx(tmp_path / "in.qdpx", [Src("doc", raw, sels, {"role": "prosecutor", "site": "X"}, bom=True)], origin=origin)
    first = fresh_project(tmp_path, "first")
    import_project(first, path, ImportOptions(codebook_from_file=True))
    texts = sorted(c.text for c in list_codings(first))
    assert texts == sorted(["café", "té q\u0323\u0307 👩\u200d👧", "Line three"])  # NFC, CRLF gone
    result = round_trip(first, tmp_path / "again.qdpx", workdir=tmp_path)
    assert result.differences == [] and result.codings == 3
