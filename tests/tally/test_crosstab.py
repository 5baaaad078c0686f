"""Crosstabs: axis syntax, codes x groups, co-occurrence, groups x groups."""

from __future__ import annotations

from itertools import product

import pytest

from qualcode.errors import NotFoundError
from qualcode.tally import TallyError, crosstab, parse_axis, tally
from tests.tally.seed_study import CODER, SITES


@pytest.mark.parametrize(("text", "kind", "spec"), [
    ("role", "group", "role"),
    ("SITE", "group", "site"),
    ("attr:region", "group", "attr:region"),
    ("referral", "codes", "referral"),
    ("code:challenge", "codes", "challenge"),
])
def test_axis_syntax(seed_project, text, kind, spec):
    axis = parse_axis(text, seed_project.codebook)
    assert (axis.kind, axis.spec) == (kind, spec)


@pytest.mark.parametrize(("text", "error", "message"), [
    ("referal", TallyError, "did you mean 'referral'"),
    ("code:nope", NotFoundError, "Unknown code 'nope'"),
])
def test_bad_axis(seed_project, text, error, message):
    with pytest.raises(error, match=message):
        parse_axis(text, seed_project.codebook)


@pytest.mark.parametrize("count", ["references", "transcripts", "sites"])
def test_codes_by_role_agrees_with_tally(seed_project, count):
    table = crosstab(seed_project, "referral", "role", count=count, coder=CODER)
    result = tally(seed_project, "referral", by="role", count=count, coder=CODER)
    for j, column in enumerate(table.columns):
        group = next(g for g in result.groups if g.key == column.key)
        by_code = {r.code: r.count for r in group.rows}
        assert {row.key: table.counts[i][j] for i, row in enumerate(table.rows)} == by_code
        assert table.column_bases[j] == group.total


def test_row_and_column_percentages(seed_project):
    table = crosstab(seed_project, "referral", "role", coder=CODER)
    i = [r.key for r in table.rows].index("referral.law_enforcement")
    j = [c.key for c in table.columns].index("service_provider")
    assert table.counts[i][j] == 31
    assert table.row_totals[i] == 31 + 38 + 3
    assert table.row_percent(i, j) == pytest.approx(100 * 31 / 72)
    assert table.column_percent(i, j) == pytest.approx(100 * 31 / 151)
    assert table.grand_total == 151 + 157 + 3


def test_group_by_codes_is_the_transpose(seed_project):
    a = crosstab(seed_project, "referral", "site", coder=CODER)
    b = crosstab(seed_project, "site", "referral", coder=CODER)
    assert b.counts == [list(col) for col in zip(*a.counts, strict=True)]
    assert b.row_percent(0, 0) == a.column_percent(0, 0)
    assert b.command == "qualcode crosstab site referral --coder autocoder"


def brute_force_cooccurrence(project, rows_code, columns_code, count):
    """Reference answer from the coding listing: sets of turns per child, rolled up."""
    from qualcode.coding.listing import list_codings
    from qualcode.tally.selection import load_transcripts

    codebook = project.codebook
    with project.read() as conn:
        site = {t.id: t.site for t in load_transcripts(conn)}

    def turns(code):
        found = {}
        for child in codebook.children(code):
            ids = {child.id, *(d.id for d in codebook.descendants(child.id))}
            found[child.id] = {(c.transcript, c.segment) for c in list_codings(project, coder=CODER)
                               if c.code in ids and c.segment is not None}
        return found

    rows, columns = turns(rows_code), turns(columns_code)
    unit = {"references": lambda t: t, "transcripts": lambda t: t[0], "sites": lambda t: site[t[0]]}[count]
    return {(r, c): len({unit(t) for t in rows[r] & columns[c]}) for r, c in product(rows, columns)}


@pytest.mark.parametrize("count", ["references", "transcripts", "sites"])
def test_cooccurrence_matches_brute_force(seed_project, count):
    table = crosstab(seed_project, "referral", "challenge", count=count, rollup=True, coder=CODER)
    got = {(r.key, c.key): table.counts[i][j] for i, r in enumerate(table.rows) for j, c in enumerate(table.columns)}
    expected = brute_force_cooccurrence(seed_project, "referral", "challenge", count)
    assert got == expected
    assert sum(got.values()) > 0


def test_cooccurrence_respects_the_selection(seed_project):
    everyone = crosstab(seed_project, "referral", "challenge", rollup=True, coder=CODER)
    providers = crosstab(seed_project, "referral", "challenge", rollup=True, coder=CODER, roles=["VSP"])
    police = crosstab(seed_project, "referral", "challenge", rollup=True, coder=CODER, roles=["LE"])
    assert [[a + b for a, b in zip(x, y, strict=True)] for x, y in zip(providers.counts, police.counts, strict=True)] \
        == everyone.counts


def test_code_with_itself_has_its_turns_on_the_diagonal(seed_project):
    table = crosstab(seed_project, "challenge", "challenge", rollup=True, coder=CODER)
    i = [r.key for r in table.rows].index("challenge.service_gaps")
    assert table.counts[i][i] == table.row_bases[i] == 7


def test_role_by_site_counts_transcripts(seed_project):
    table = crosstab(seed_project, "role", "site")
    assert table.coder is None
    assert [c.key for c in table.columns] == list(SITES)
    assert table.row_totals == [20, 3, 20]
    assert table.grand_total == 43
    assert table.command == "qualcode crosstab role site"


def test_group_by_group_has_no_references(seed_project):
    with pytest.raises(TallyError, match="counts transcripts or sites"):
        crosstab(seed_project, "role", "site", count="references")
