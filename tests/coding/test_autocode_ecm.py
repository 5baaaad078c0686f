"""The example study's codebook: its rules find the seed report's quotes without shotgun coding."""

from __future__ import annotations

import pytest
import yaml

from tests.helpers import DATA, REPO

ECM = REPO / "codebooks" / "ecm.yaml"
SEED_QUOTES = DATA / "seed_quotes.yaml"
GOLD = DATA / "gold" / "ecm_gold.csv"

pytestmark = pytest.mark.skipif(
    not (ECM.is_file() and SEED_QUOTES.is_file()), reason="ECM codebook or seed quotes absent"
)


@pytest.fixture(scope="module")
def ecm():
    from qualcode.codebook import load_codebook
    from qualcode.coding.autocode.engine import RuleMatcher

    codebook = load_codebook(ECM)
    return codebook, RuleMatcher(codebook.codes.values())


def quotes() -> list[dict]:
    return yaml.safe_load(SEED_QUOTES.read_text(encoding="utf-8"))["quotes"] if SEED_QUOTES.is_file() else []


def codes_for_quote(ecm, quote) -> list[str]:
    """What autocode proposes for the quote as a turn of its own (default topic focus)."""
    from qualcode.coding.autocode.runner import TopicFocus, assign_codes

    codebook, matcher = ecm
    allowed = frozenset(c.id for c in codebook.codes_for(quote["role"]))
    matches = matcher.match_text(quote["text"], allowed)
    return [m.code_id for m in assign_codes(codebook, matches, TopicFocus())]


@pytest.mark.parametrize("quote", quotes(), ids=lambda q: q["key"])
def test_rules_find_the_seed_quote(ecm, quote):
    found = codes_for_quote(ecm, quote)
    assert quote["code"] in found
    assert len(found) <= 4  # a handful of codes, not a shotgun


def test_few_codes_per_seed_quote(ecm):
    counts = [len(codes_for_quote(ecm, q)) for q in quotes()]
    assert sum(counts) / len(counts) <= 2.0  # 1.6 measured


def test_gold_set_codes_exist_and_apply():
    import csv

    from qualcode.codebook import load_codebook

    codebook = load_codebook(ECM)
    roles = {"le": "law_enforcement", "pros": "prosecutor", "vsp": "service_provider", "oth": "other"}
    with GOLD.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    turns = {(r["transcript"], r["segment"]) for r in rows}
    assert len(turns) >= 110 and len({t for t, _ in turns}) >= 6
    for row in rows:
        if row["code"]:
            codebook.check_applicable(row["code"], roles[row["transcript"].split("-")[0]])


@pytest.fixture(scope="module")
def example_study(tmp_path_factory):
    from qualcode.demo import import_example_transcripts, prepare_demo_project

    if not (REPO / "transcripts" / "manifest.csv").is_file():
        pytest.skip("example transcripts absent")
    project = prepare_demo_project(REPO, tmp_path_factory.mktemp("ecm") / "demo")
    import_example_transcripts(project)
    yield project
    project.close()


def test_example_study_is_not_shotgun_coded(example_study):
    from qualcode.coding.autocode import autocode

    result = autocode(example_study, dry_run=True)
    rows = result.role_summary()
    turns = sum(r.turns for r in rows)
    assert sum(r.references for r in rows) / turns <= 2.3  # 2.22 measured; the gold set has 2.0
    assert max(r.max_codes_per_turn for r in rows) <= 8
    assert result.off_topic_dropped > 0


def test_rules_hold_their_measured_accuracy_on_the_gold_set(example_study):
    """docs/autocoding.md's rule figures: micro F1 0.50 at 2.15 codes per gold turn."""
    from qualcode.coding.evaluate import evaluate, reference_from_csv

    evaluation = evaluate(example_study, reference_from_csv(example_study, GOLD), systems=("rules",))
    rules = evaluation.systems["rules"]
    assert rules.micro.f1 >= 0.49
    assert rules.predictions / rules.turns <= 2.3
