"""The four default stakeholder roles and the starter codebook ``qualcode init`` writes."""

from __future__ import annotations

from qualcode.codebook.model import Role

DEFAULT_ROLES: dict[str, Role] = {
    "law_enforcement": Role(
        "law_enforcement",
        "Law enforcement official",
        ("LE", "police", "officer", "detective", "sheriff"),
    ),
    "prosecutor": Role("prosecutor", "Prosecutor", ("DA", "district attorney", "AUSA", "attorney")),
    "service_provider": Role(
        "service_provider",
        "Service provider",
        ("VSP", "advocate", "victim service provider", "provider"),
    ),
    "other": Role("other", "Other stakeholder", ("coordinator",)),
}

DEFAULT_CODEBOOK_TEXT = """\
# qualcode codebook. Format: docs/codebook.md (qualcode codebook validate checks it).
format: 1
title: Untitled study

# Roles: the stakeholder groups transcripts belong to. The label is used in quote
# attributions ("-Prosecutor"); aliases are accepted wherever a role is typed.
roles:
  law_enforcement:
    label: Law enforcement official
    aliases: [LE, police, officer, detective, sheriff]
  prosecutor:
    label: Prosecutor
    aliases: [DA, district attorney, AUSA, attorney]
  service_provider:
    label: Service provider
    aliases: [VSP, advocate, victim service provider, provider]
  other:
    label: Other stakeholder
    aliases: [coordinator]

# Codes: a tree (nest codes under `children`). A code without `roles` applies to
# the roles of its parent, or to every role at the top level.
codes:
  - id: referral
    name: Referral sources
    definition: How cases or survivors come to the respondent's attention.
    include: Any named source of a case, tip or client.
    exclude: Referrals the respondent makes onward to other services.
    examples:
      - "Most of our referrals come from the hotline."
    rules:
      phrases: [referral, refer, tip line, hotline]
"""


def default_codebook_text() -> str:
    """A minimal valid codebook (four default roles, one code) for ``qualcode init``."""
    return DEFAULT_CODEBOOK_TEXT
