"""The example study's codebook (codebooks/ecm.yaml) and the seed report's quotes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from qualcode.codebook import load_codebook

REPO = Path(__file__).resolve().parents[2]
ECM = REPO / "codebooks" / "ecm.yaml"
SEED = REPO.parent / "shared" / "seed" / "ecm-evaluation.txt"
QUOTES = yaml.safe_load((REPO / "tests" / "data" / "seed_quotes.yaml").read_text(encoding="utf-8"))["quotes"]
CROSS_ROLE = ("goals", "referral", "collaboration", "training", "impact", "best_practice", "challenge")

REFERRAL_STREAMS = [
    "referral.hotline", "referral.law_enforcement", "referral.service_provider", "referral.medical",
    "referral.community", "referral.government", "referral.justice_system", "referral.prosecutor",
    "referral.self", "referral.online", "referral.patrol", "referral.investigation",
]  # fmt: skip
CHALLENGES = {
    "challenge.case_length": [],
    "challenge.survivor_cooperation": [],
    "challenge.labor_trafficking": ["knowledge", "complexity", "deportation_fear"],
    "challenge.collaboration": ["turnover", "communication", "differing_goals", "burnout"],
    "challenge.geography": [],
    "challenge.resources": [],
    "challenge.service_gaps": ["housing", "behavioral_health", "transportation", "employment", "lgbtq"],
    "challenge.judge_jury": [],
    "challenge.digital_evidence": [],
    "challenge.federal_partners": [],
}


@pytest.fixture(scope="module")
def ecm():
    return load_codebook(ECM)


def ids(codes) -> list[str]:
    return [c.id for c in codes]


def test_roles_are_the_four_study_roles(ecm):
    assert {k: r.label for k, r in ecm.roles.items()} == {
        "law_enforcement": "Law enforcement official", "prosecutor": "Prosecutor",
        "service_provider": "Service provider", "other": "Other stakeholder",
    }  # fmt: skip


def test_referral_has_every_stream_as_a_child(ecm):
    assert ids(ecm.children("referral")) == REFERRAL_STREAMS
    assert ecm.get("referral").roles == frozenset(ecm.roles)


def test_challenge_has_every_theme_and_sub_barrier(ecm):
    assert ids(ecm.children("challenge")) == list(CHALLENGES)
    for parent, children in CHALLENGES.items():
        assert ids(ecm.children(parent)) == [f"{parent}.{child}" for child in children]


def test_every_code_is_documented_and_every_codable_code_has_rules(ecm):
    for code in ecm.codes.values():
        assert code.definition and code.include and code.exclude, code.id
        assert code.examples, code.id
        if code.codable:
            assert not code.rules.is_empty, code.id


@pytest.mark.parametrize(
    ("prefix", "roles"),
    [
        ("investigation", {"law_enforcement"}),
        ("services", {"service_provider"}),
        ("prosecution.practices", {"prosecutor"}),
        ("prosecution.length", {"prosecutor"}),
        ("prosecution.charging", {"prosecutor", "law_enforcement"}),
        ("survivor_safety", {"prosecutor", "service_provider"}),
    ],
)
def test_protocol_codes_are_role_keyed(ecm, prefix, roles):
    codes = [c for c in ecm.codes.values() if c.id == prefix or c.id.startswith(prefix + ".")]
    assert codes and all(c.roles == frozenset(roles) for c in codes)


def test_cross_role_topics_declare_no_roles(ecm):
    for top in CROSS_ROLE:
        for code in [ecm.get(top), *ecm.descendants(top)]:
            assert code.declared_roles is None and code.roles == frozenset(ecm.roles), code.id


def test_codes_per_role(ecm):
    assert "investigation.proactive" in ids(ecm.codes_for("LE"))
    assert "investigation.proactive" not in ids(ecm.codes_for("DA"))
    assert "services.length" in ids(ecm.codes_for("advocate"))
    assert "investigation" not in ids(ecm.codes_for("police"))  # grouping node
    assert set(ids(ecm.codes_for("other"))) == {
        c.id for c in ecm.codes.values() if c.codable and (c.id.split(".")[0] in CROSS_ROLE)
    }


def test_perceptions_of_law_enforcement_is_exclusive(ecm):
    assert ecm.get("services.perceptions_le").exclusive
    assert ids(ecm.children("services.perceptions_le"))[0] == "services.perceptions_le.positive"


@pytest.mark.parametrize("quote", QUOTES, ids=[q["key"] for q in QUOTES])
def test_seed_quote_code_exists_and_applies_to_its_role(ecm, quote):
    ecm.check_applicable(quote["code"], quote["role"])


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed not present")
@pytest.mark.parametrize("quote", QUOTES, ids=[q["key"] for q in QUOTES])
def test_seed_quote_is_from_the_report_with_its_attribution(quote):
    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", text.replace("“", '"').replace("”", '"')).strip()

    seed = SEED.read_text(encoding="utf-8")
    assert norm(quote["text"])[:60] in norm(seed)
    attribution = re.sub(r"—\s+", "—", " ".join(seed.splitlines()[quote["line"] - 3 : quote["line"] + 1]))
    label = {"law_enforcement": "—Law", "prosecutor": "—Prosecutor", "service_provider": "—Service provider"}
    assert label[quote["role"]] in attribution


@pytest.fixture(scope="module")
def nlp():
    pytest.importorskip("spacy")
    from tests.codebook.rule_matcher import make_nlp

    return make_nlp()


@pytest.mark.parametrize("quote", QUOTES, ids=[q["key"] for q in QUOTES])
def test_rules_find_each_seed_quote(ecm, nlp, quote):
    from tests.codebook.rule_matcher import matching_codes

    found = matching_codes(nlp, ecm, quote["text"], quote["role"])
    assert quote["code"] in found
    assert len(found) <= 8, found  # rules that fire on everything would be useless


@pytest.mark.parametrize(
    ("text", "role", "code"),
    [
        (
            "Most of ours start as a Polaris tip, or NCMEC sends a CyberTip.",
            "law_enforcement",
            "referral.hotline",
        ),
        ("Honestly a lot of them came from the Polarus hotline.", "service_provider", "referral.hotline"),
        ("The SANE nurses at the emergency room call us.", "service_provider", "referral.medical"),
        ("DCFS is probably our biggest source for the minors.", "law_enforcement", "referral.government"),
        ("Her probation officer picked up on it.", "prosecutor", "referral.justice_system"),
        ("Sometimes they just walk in off the street.", "service_provider", "referral.self"),
        ("Patrol made a traffic stop on the interstate.", "law_enforcement", "referral.patrol"),
        (
            "There's no shelter that will take a transgender client.",
            "service_provider",
            "challenge.service_gaps.lgbtq",
        ),
        (
            "People burn out in this unit in two or three years.",
            "law_enforcement",
            "challenge.collaboration.burnout",
        ),
    ],
)
def test_rules_find_typical_transcript_lines(ecm, nlp, text, role, code):
    from tests.codebook.rule_matcher import matching_codes

    assert code in matching_codes(nlp, ecm, text, role)


def test_exclusions_veto_nearby_matches(ecm, nlp):
    from tests.codebook.rule_matcher import matching_codes

    text = "We charged him with promoting prostitution."
    assert "prosecution.charging" in matching_codes(nlp, ecm, text, "prosecutor")
    text = "Some agencies arrest the girls and charge them with prostitution."
    assert "prosecution.charging" not in matching_codes(nlp, ecm, text, "law_enforcement")
