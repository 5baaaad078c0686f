"""Pure codebook diffs: added, removed, renamed (same id, new name), moved, changed."""

from __future__ import annotations

from qualcode.codebook import parse_codebook
from qualcode.codebook.diff import CodeChange, CodeMove, CodeRename, diff_codebooks

OLD = """\
codes:
  - id: referral
    name: Referral sources
    children:
      - id: referral.hotline
        name: Hotlines
      - id: referral.police
        name: Police
  - id: challenge
    name: Challenges
    children:
      - id: challenge.housing
        name: Housing
"""

NEW = """\
roles:
  law_enforcement: LE
  prosecutor: Prosecutor
  service_provider: Provider
codes:
  - id: referral
    name: Referral sources
    definition: Where cases come from.
    children:
      - id: referral.hotline
        name: Hotlines and tip lines
  - id: challenge
    name: Challenges
    children:
      - id: challenge.service_gaps
        name: Service gaps
        children:
          - id: challenge.housing
            name: Housing
            roles: [service_provider]
"""


def test_diff_classifies_every_change():
    diff = diff_codebooks(parse_codebook(OLD), parse_codebook(NEW))
    assert [c.id for c in diff.added] == ["challenge.service_gaps"]
    assert [c.id for c in diff.removed] == ["referral.police"]
    assert diff.renamed == [CodeRename("referral.hotline", "Hotlines", "Hotlines and tip lines")]
    assert diff.moved == [CodeMove("challenge.housing", "challenge", "challenge.service_gaps")]
    assert diff.changed == [
        CodeChange("referral", ("definition",)),
        CodeChange("challenge.housing", ("roles",)),
    ]
    assert diff.roles_removed == ["other"] and diff.roles_added == []
    assert not diff.is_empty


def test_identical_codebooks_have_an_empty_diff():
    assert diff_codebooks(parse_codebook(OLD), parse_codebook(OLD + "# a comment\n")).is_empty


def test_diff_to_dict_is_json_ready():
    import json

    data = diff_codebooks(parse_codebook(OLD), parse_codebook(NEW)).to_dict()
    assert json.loads(json.dumps(data))["renamed"] == [
        {"id": "referral.hotline", "old_name": "Hotlines", "new_name": "Hotlines and tip lines"}
    ]
    assert data["removed"] == [{"id": "referral.police", "name": "Police", "parent": "referral"}]
