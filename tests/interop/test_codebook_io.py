"""The <CodeBook> of a .qdpx through the codebook package's .qdc code."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from qualcode.codebook import parse_codebook
from qualcode.codebook.refi import code_guid
from qualcode.interop.codebook_io import (
    codebook_parts,
    free_codebook_path,
    normalise_color,
    read_codebook,
    set_project_codebook,
)
from qualcode.interop.xmlread import guid_key, parse_xml
from tests.helpers import DATA


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("#FF0000", "#FF0000"), ("#abc", "#AABBCC"), ("00ff7f", "#00FF7F"), ("rgb(255, 0, 16)", "#FF0010"),
        ("RGB(1,2,3)", "#010203"), ("rgba(10, 20, 30, 0.5)", "#0A141E"), ("#80FF0000", "#FF0000"),
        ("rgb(300, 0, 0)", None), ("red", None), ("", None), (None, None),
    ],
)
def test_normalise_color(value, expected):
    assert normalise_color(value) == expected


def _project_root(codebook) -> ElementTree.Element:
    book, sets = codebook_parts(codebook)
    root = ElementTree.Element("{urn:QDA-XML:project:1.0}Project", name="p")
    root.append(book)
    sets_element = ElementTree.SubElement(root, "{urn:QDA-XML:project:1.0}Sets")
    sets_element.extend(sets)
    return parse_xml(ElementTree.tostring(root), "p.qde")


@pytest.fixture
def small():
    path = DATA / "codebooks" / "small.yaml"
    return parse_codebook(path.read_text(encoding="utf-8"), file=str(path))


def test_exported_parts_are_in_the_project_namespace(small):
    book, sets = codebook_parts(small)
    assert book.tag == "{urn:QDA-XML:project:1.0}CodeBook"
    members = [m for s in sets for m in s if m.tag.endswith("MemberCode")]
    assert members and all(set(m.attrib) == {"targetGUID"} for m in members)


def test_refi_reading_restores_ids_roles_and_fields(small, tmp_path):
    imported = read_codebook(_project_root(small), label="x.qdpx", output=str(tmp_path / "x.yaml"))
    assert imported.source == "REFI-QDA <CodeBook>"
    assert list(imported.codebook.codes) == list(small.codes)
    assert imported.ids == {guid_key(code_guid(c)): c for c in small.codes}
    assert set(imported.codebook.roles) == set(small.roles)
    for code_id, code in small.codes.items():
        other = imported.codebook.codes[code_id]
        assert (other.definition, other.include, other.exclude, other.examples, other.roles) == (
            code.definition, code.include, code.exclude, code.examples, code.roles
        )


def test_the_sidecar_is_used_only_while_the_codes_are_untouched(small, tmp_path):
    root = _project_root(small)
    exact = read_codebook(root, label="x", output=str(tmp_path / "x.yaml"), sidecar=small.text)
    assert exact.source.startswith("qualcode sidecar") and exact.codebook.text == small.text
    next(e for e in root.iter() if e.get("name") == "Case length").set("name", "Case duration")
    edited = read_codebook(root, label="x", output=str(tmp_path / "x.yaml"), sidecar=small.text)
    assert edited.source == "REFI-QDA <CodeBook>"
    assert edited.codebook.codes["challenge.case_length"].name == "Case duration"
    assert "edited outside qualcode" in edited.notes[0]


def test_foreign_colours_are_repaired(tmp_path):
    document = b"""<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>
        <Code guid="C1" name="One" isCodable="true" color="rgb(0, 128, 255)"/>
        <Code guid="C2" name="Two" isCodable="true" color="hotpink"/></Codes></CodeBook></Project>"""
    imported = read_codebook(parse_xml(document, "p.qde"), label="p", output=str(tmp_path / "p.yaml"))
    assert [c.color for c in imported.codebook.codes.values()] == ["#0080FF", None]
    assert imported.ids == {"c1": "one", "c2": "two"}


def test_no_codes_means_no_codebook(tmp_path):
    root = parse_xml(b"<Project name='p'><CodeBook><Codes/></CodeBook></Project>", "p")
    assert read_codebook(root, label="p", output=str(tmp_path / "p.yaml")).codebook is None


def test_free_codebook_path(tmp_path):
    (tmp_path / "ecm.yaml").write_text("old", encoding="utf-8")
    assert free_codebook_path(tmp_path, "ecm.yaml", "old") == tmp_path / "ecm.yaml"
    assert free_codebook_path(tmp_path, "ecm.yaml", "new") == tmp_path / "ecm-2.yaml"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ('[project]\nname = "p"\ncodebook = "codebooks/codebook.yaml"\n', '[project]\nname = "p"\ncodebook = "codebooks/x.yaml"\n'),
        ('[project]\nname = "p"\n', '[project]\nname = "p"\ncodebook = "codebooks/x.yaml"\n'),
    ],
)
def test_set_project_codebook(tmp_path, config, expected):
    path = tmp_path / "qualcode.toml"
    path.write_text(config, encoding="utf-8")
    assert set_project_codebook(path, "codebooks/x.yaml") == config
    assert path.read_text(encoding="utf-8") == expected
