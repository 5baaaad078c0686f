"""REFI-QDA .qdc export (validated against the XSD) and import (real tools' exports)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from qualcode.codebook import load_codebook, parse_codebook
from qualcode.codebook.diff import diff_codebooks
from qualcode.codebook.refi import code_guid, codebook_to_qdc, read_refi_codebook
from qualcode.errors import InteropError

REPO = Path(__file__).resolve().parents[2]
REFDATA = REPO.parent / "shared" / "refdata" / "refi-qda"
SAMPLES = REFDATA / "samples"
ECM = REPO / "codebooks" / "ecm.yaml"

needs_refdata = pytest.mark.skipif(not REFDATA.is_dir(), reason="../shared/refdata not present")

TEXT = """\
roles:
  law_enforcement: {label: Law enforcement official, aliases: [LE, police]}
  prosecutor: {label: Prosecutor, aliases: [DA]}
codes:
  - id: referral
    name: Referral sources
    color: "#FF7F0E"
    definition: Where cases come from.
    include: A named source.
    exclude: Onward referrals.
    examples: ["The hotline calls us.", "Patrol brought her in."]
    exclusive: true
    children:
      - id: referral.hotline
        name: Hotlines & tip lines <NCMEC>
        roles: [law_enforcement]
  - id: group
    name: Grouping
    codable: false
    roles: [prosecutor]
    children:
      - id: group.charging
        name: Charging
        definition: |-
          Charges filed.
          Second line of the definition.
"""


@pytest.fixture(scope="module")
def codebook():
    return parse_codebook(TEXT, file="t.yaml")


def write_qdc(tmp_path: Path, codebook) -> Path:
    path = tmp_path / "book.qdc"
    path.write_bytes(codebook_to_qdc(codebook))
    return path


def test_guids_are_stable_uuid5_of_the_id():
    assert code_guid("referral.hotline") == code_guid("referral.hotline")
    assert code_guid("referral.hotline") != code_guid("referral")
    assert len(code_guid("x")) == 36 and code_guid("x") == code_guid("x").upper()


def test_export_structure(codebook):
    from xml.etree import ElementTree

    root = ElementTree.fromstring(codebook_to_qdc(codebook))
    ns = {"q": "urn:QDA-XML:codebook:1.0"}
    top = root.findall("q:Codes/q:Code", ns)
    assert [c.get("name") for c in top] == ["Referral sources", "Grouping"]
    assert top[0].get("color") == "#FF7F0E" and top[0].get("guid") == code_guid("referral")
    assert top[1].get("isCodable") == "false"
    description = top[0].find("q:Description", ns).text
    assert description.splitlines() == [
        "Definition: Where cases come from.", "Include: A named source.", "Exclude: Onward referrals.",
        "Examples:", "- The hotline calls us.", "- Patrol brought her in.",
        "Exclusive: yes (children are mutually exclusive)", "Code id: referral",
    ]  # fmt: skip
    sets = root.findall("q:Sets/q:Set", ns)
    assert [s.get("name") for s in sets] == ["Law enforcement official", "Prosecutor"]
    members = [m.get("guid") for m in sets[1].findall("q:MemberCode", ns)]
    assert members == [code_guid("referral"), code_guid("group.charging")]  # codable, applying to it


@needs_refdata
@pytest.mark.parametrize("source", ["test", "ecm"])
def test_export_validates_against_the_codebook_xsd(tmp_path, codebook, source):
    xmlschema = pytest.importorskip("xmlschema")
    book = codebook if source == "test" else load_codebook(ECM)
    schema = xmlschema.XMLSchema(str(REFDATA / "Codebook.xsd"))
    schema.validate(str(write_qdc(tmp_path, book)))


def test_round_trip_keeps_everything_but_rules(tmp_path, codebook):
    back = read_refi_codebook(write_qdc(tmp_path, codebook), output="back.yaml")
    assert diff_codebooks(codebook, back).is_empty
    assert back.roles == codebook.roles
    assert back.get("group.charging").definition == "Charges filed.\nSecond line of the definition."
    assert back.get("referral.hotline").name == "Hotlines & tip lines <NCMEC>"
    assert back.text.startswith("# Imported from book.qdc (qualcode) by qualcode.")


def test_ecm_round_trip_differs_only_in_rules(tmp_path):
    ecm = load_codebook(ECM)
    back = read_refi_codebook(write_qdc(tmp_path, ecm))
    diff = diff_codebooks(ecm, back)
    assert not (diff.added or diff.removed or diff.renamed or diff.moved)
    assert {f for change in diff.changed for f in change.fields} == {"rules"}


def test_import_is_lenient_about_namespaces_and_empty_elements(tmp_path):
    path = tmp_path / "loose.qdc"
    path.write_text(
        '<?xml version="1.0"?><CodeBook><Codes>'
        '<Code guid="x" name="  Parent  code " isCodable="true" color="#abc"><Description/>'
        '<Code name="Child" isCodable="false"><Description>Free text describing it.</Description></Code>'
        '<Code name="Child"/></Code><Code name="" /></Codes><Sets/></CodeBook>',
        encoding="utf-8",
    )
    book = read_refi_codebook(path)
    assert list(book.codes) == ["parent_code", "parent_code.child", "parent_code.child_2", "unnamed_code"]
    assert book.get("parent_code").color == "#AABBCC" and book.get("parent_code").name == "Parent code"
    assert book.get("parent_code.child").definition == "Free text describing it."
    assert not book.get("parent_code.child").codable
    assert list(book.roles) == ["law_enforcement", "prosecutor", "service_provider", "other"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<CodeBook><Codes></Codes></CodeBook>", "contains no codes"),
        (b"<Project><Sources/></Project>", "has no <CodeBook> element"),
        (b"<CodeBook><Codes><Code", "Not well-formed XML"),
        (
            (
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><CodeBook><Codes>'
                b'<Code name="&e;" isCodable="true"/></Codes></CodeBook>'
            ),
            "Refused unsafe XML",
        ),
    ],
)
def test_import_errors(tmp_path, content, message):
    path = tmp_path / "bad.qdc"
    path.write_bytes(content)
    with pytest.raises(InteropError, match=message):
        read_refi_codebook(path)


def test_qdpx_zip_without_project(tmp_path):
    path = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sources/a.txt", "x")
    with pytest.raises(InteropError, match="zip without a project.qde"):
        read_refi_codebook(path)


@needs_refdata
@pytest.mark.parametrize(
    ("sample", "count", "first_ids"),
    [
        ("taguette-1.4.1_codebook.qdc", 3, ["xsd_element_name", "codebook", "variables"]),
        (
            "nvivo-win-12.6_oltas0517.qdpx",
            152,
            ["1_oltas_tipusa", "1_oltas_tipusa.covid", "1_oltas_tipusa.nem_covid"],
        ),
        ("nvivo-mac-15.0.0_qc-roundtrip.qdpx", 262, ["rq1_definition", "rq1_definition.competencies"]),
        ("qc-1.3.2_demo.qdpx", 262, ["rq1_definition", "rq1_definition.competencies"]),
        ("maxqda-24.7.0_uncoded_project.qde", 307, ["additional_themes_and_ideas"]),
        ("f4-2025.2.9_openqda-valid-document.qde", 1, ["dies_ist_ein_test_code"]),
    ],
)
def test_import_real_samples(sample, count, first_ids):
    path = SAMPLES / sample
    if not path.exists():
        pytest.skip(f"{sample} not present")
    book = read_refi_codebook(path)
    assert len(book.codes) == count
    assert list(book.codes)[: len(first_ids)] == first_ids
    assert parse_codebook(book.text).hash == book.hash  # what we would write is valid


@needs_refdata
def test_nvivo_descriptions_become_definitions():
    book = read_refi_codebook(SAMPLES / "nvivo-win-12.6_oltas0517.qdpx")
    assert book.get("1_oltas_tipusa").name == "1. Oltás típusa"
    assert book.get("1_oltas_tipusa").definition == "COVID vay nem COVID"


@needs_refdata
def test_maxqda_colours_are_kept():
    book = read_refi_codebook(SAMPLES / "maxqda-24.7.0_uncoded_project.qde")
    assert book.get("additional_themes_and_ideas").color == "#EF8256"
