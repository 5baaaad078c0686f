"""The Codebook model: role resolution, inheritance, codes_for, check_applicable, tree."""

from __future__ import annotations

import pytest

from qualcode.codebook import parse_codebook
from qualcode.errors import CodingError, NotFoundError, UnknownRoleError

TEXT = """\
codes:
  - id: referral
    name: Referral sources
    children:
      - id: referral.hotline
        name: Hotlines
  - id: pros
    name: Prosecution
    roles: [prosecutor, law_enforcement]
    codable: false
    children:
      - id: pros.charging
        name: Charging
        roles: [prosecutor]
        children:
          - id: pros.charging.federal
            name: Federal
      - id: pros.evidence
        name: Evidence
  - id: vsp
    name: Services
    roles: [service_provider]
    exclusive: true
    children:
      - id: vsp.housing
        name: Housing
      - id: vsp.counseling
        name: Counseling
"""


@pytest.fixture(scope="module")
def codebook():
    return parse_codebook(TEXT, file="model.yaml")


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("prosecutor", "prosecutor"), ("Prosecutor", "prosecutor"), ("DA", "prosecutor"),
        ("da", "prosecutor"), ("district attorney", "prosecutor"), ("AUSA", "prosecutor"),
        ("Law enforcement official", "law_enforcement"), ("police", "law_enforcement"),
        ("  Sheriff ", "law_enforcement"), ("VSP", "service_provider"),
        ("victim service provider", "service_provider"), ("coordinator", "other"),
    ],
)  # fmt: skip
def test_resolve_role_accepts_key_label_alias(codebook, typed, key):
    assert codebook.resolve_role(typed) == key


def test_unknown_role_lists_roles(codebook):
    with pytest.raises(UnknownRoleError) as caught:
        codebook.resolve_role("cop")
    assert (
        str(caught.value) == "Unknown role 'cop'. Roles: law_enforcement, prosecutor, service_provider, other"
    )


@pytest.mark.parametrize(
    ("code_id", "roles"),
    [
        ("referral", {"law_enforcement", "prosecutor", "service_provider", "other"}),
        ("referral.hotline", {"law_enforcement", "prosecutor", "service_provider", "other"}),
        ("pros", {"prosecutor", "law_enforcement"}),
        ("pros.charging", {"prosecutor"}),
        ("pros.charging.federal", {"prosecutor"}),  # inherited from the parent, not the grandparent
        ("pros.evidence", {"prosecutor", "law_enforcement"}),
        ("vsp.housing", {"service_provider"}),
    ],
)
def test_roles_are_resolved_by_inheritance(codebook, code_id, roles):
    code = codebook.get(code_id)
    assert code.roles == frozenset(roles)


def test_declared_roles_keep_what_was_written(codebook):
    assert codebook.get("pros.charging").declared_roles == frozenset({"prosecutor"})
    assert codebook.get("pros.charging.federal").declared_roles is None


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("law_enforcement", ["referral", "referral.hotline", "pros.evidence"]),
        ("DA", ["referral", "referral.hotline", "pros.charging", "pros.charging.federal", "pros.evidence"]),
        ("service_provider", ["referral", "referral.hotline", "vsp", "vsp.housing", "vsp.counseling"]),
        ("other", ["referral", "referral.hotline"]),
    ],
)
def test_codes_for_gives_exactly_the_applicable_codable_codes(codebook, role, expected):
    assert [c.id for c in codebook.codes_for(role)] == expected


def test_check_applicable_refuses_other_roles(codebook):
    codebook.check_applicable("pros.charging", "DA")
    with pytest.raises(CodingError) as caught:
        codebook.check_applicable("pros.charging", "police")
    assert str(caught.value) == (
        "Code 'pros.charging' does not apply to law_enforcement transcripts; it applies to: prosecutor"
    )
    assert caught.value.code == "pros.charging"


def test_check_applicable_lists_roles_in_declaration_order(codebook):
    with pytest.raises(CodingError, match="it applies to: law_enforcement, prosecutor$"):
        codebook.check_applicable("pros.evidence", "service_provider")


def test_check_applicable_refuses_grouping_nodes(codebook):
    with pytest.raises(CodingError, match="'pros' is a grouping node .* pros.charging, pros.evidence"):
        codebook.check_applicable("pros", "prosecutor")


def test_check_applicable_unknown_role_and_code(codebook):
    with pytest.raises(UnknownRoleError):
        codebook.check_applicable("referral", "cop")
    with pytest.raises(NotFoundError):
        codebook.check_applicable("nope", "prosecutor")


def test_get_suggests_close_ids(codebook):
    with pytest.raises(NotFoundError) as caught:
        codebook.get("referal.hotline")
    assert (
        str(caught.value)
        == "Unknown code 'referal.hotline'; did you mean 'referral.hotline' or 'referral'? (the codebook has 9 codes)"
    )


def test_get_without_close_match(codebook):
    with pytest.raises(NotFoundError, match=r"^Unknown code 'zzz' \(the codebook has 9 codes\)$"):
        codebook.get("zzz")


def test_tree_navigation(codebook):
    assert [c.id for c in codebook.top_level()] == ["referral", "pros", "vsp"]
    assert [c.id for c in codebook.children("pros")] == ["pros.charging", "pros.evidence"]
    assert [c.id for c in codebook.descendants("pros")] == [
        "pros.charging",
        "pros.charging.federal",
        "pros.evidence",
    ]
    assert [c.id for c in codebook.ancestors("pros.charging.federal")] == ["pros.charging", "pros"]
    for code_id in codebook.codes:  # asked twice: the second answer comes from the cache
        expected = tuple(c.id for c in codebook.ancestors(code_id))
        assert codebook.ancestor_ids(code_id) == expected == codebook.ancestor_ids(code_id)
    assert codebook.depth("pros.charging.federal") == 2
    assert codebook.children("referral.hotline") == []
    assert "vsp" in codebook and "x" not in codebook and len(codebook) == 9


def test_flags(codebook):
    assert codebook.get("vsp").exclusive and not codebook.get("pros").codable
    assert codebook.get("vsp.housing").codable and not codebook.get("vsp.housing").exclusive


def test_role_label(codebook):
    assert codebook.role_label("DA") == "Prosecutor"


def test_hash_changes_with_text():
    a = parse_codebook(TEXT)
    b = parse_codebook(TEXT + "# comment\n")
    assert a.hash != b.hash and a.codes == b.codes
