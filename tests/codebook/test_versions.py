"""Codebook versions in a real store with codings: snapshots, removal refusal, diff, rename."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qualcode.codebook import versions
from qualcode.codebook.operations import (
    Snapshot,
    diff_project,
    rename_project_code,
    snapshot_project,
)
from qualcode.coding.session import CodingSession
from qualcode.errors import CodebookError, NotFoundError
from qualcode.store.schema import codebook_versions, codings

pytestmark = pytest.mark.coders("ana")


def edit_codebook(project, old: str, new: str) -> None:
    path = project.codebook_path
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    project.reload_codebook()


def coded_ids(project) -> list[tuple[str, int | None]]:
    with project.read() as conn:
        rows = conn.execute(select(codings.c.code_id, codings.c.codebook_version_id).order_by(codings.c.id))
        return [tuple(r) for r in rows]


@pytest.fixture
def coded(project, interview):
    """Two codings of referral.hotline and one of challenge.case_length by 'ana'."""
    session = CodingSession(project, "ana")
    session.tag("vsp-1", 2, ["referral.hotline"], text="the hotline")
    session.tag("vsp-1", 4, ["referral.hotline", "challenge.housing"])
    return project


def test_coding_snapshots_the_codebook_once(coded):
    with coded.read() as conn:
        snaps = versions.list_snapshots(conn)
        assert len(snaps) == 1
        assert snaps[0].hash == coded.codebook.hash and snaps[0].text == coded.codebook.text
        assert versions.ensure_snapshot(conn, coded.codebook) == snaps[0].id
        assert versions.coding_counts(conn) == {"referral.hotline": 2, "challenge.housing": 1}
    assert {v for _, v in coded_ids(coded)} == {snaps[0].id}


def test_old_codings_stay_interpretable_after_an_edit(coded):
    edit_codebook(coded, "name: Hotlines and tip lines", "name: Tip lines")
    CodingSession(coded, "ana").tag("vsp-1", 2, ["referral.law_enforcement"], text="Police")
    rows = coded_ids(coded)
    first, second = rows[0][1], rows[-1][1]
    assert first != second
    with coded.read() as conn:
        old = versions.get_snapshot(conn, first).codebook()
        new = versions.get_snapshot(conn, second).codebook()
    assert old.get("referral.hotline").name == "Hotlines and tip lines"
    assert new.get("referral.hotline").name == "Tip lines"


def test_removing_a_coded_code_is_refused(coded):
    edit_codebook(coded, "      - id: challenge.housing\n", "      - id: challenge.housing_gap\n")
    with pytest.raises(CodebookError) as caught:
        snapshot_project(coded)
    message = str(caught.value)
    assert "removes codes that have codings: challenge.housing (1 coding)" in message
    assert "qualcode codebook rename OLD NEW" in message and "--force" in message
    with pytest.raises(CodebookError, match="challenge.housing"):  # coding is refused too
        CodingSession(coded, "ana").tag("vsp-1", 2, ["referral.law_enforcement"], text="Police")


def test_removal_without_codings_is_fine(coded):
    edit_codebook(coded, "      - id: referral.law_enforcement\n", "      - id: referral.police\n")
    stored = snapshot_project(coded)
    assert stored.created and stored.version == 2


def test_force_stores_the_version_and_then_coding_goes_on(coded):
    edit_codebook(coded, "      - id: challenge.housing\n", "      - id: challenge.housing_gap\n")
    stored = snapshot_project(coded, force=True)
    version = stored.version
    assert stored.created
    assert snapshot_project(coded) == Snapshot(version, False)
    CodingSession(coded, "ana").tag("vsp-1", 4, ["challenge.housing_gap"])
    assert coded_ids(coded)[-1] == ("challenge.housing_gap", version)


def test_diff_against_latest_snapshot(coded):
    edit_codebook(coded, "name: Hotlines and tip lines", "name: Tip lines")
    edit_codebook(coded, "      - id: challenge.housing\n", "      - id: challenge.shelter\n")
    report = diff_project(coded)
    assert report.snapshot_id == 1
    assert [c.id for c in report.diff.added] == ["challenge.shelter"]
    assert [c.id for c in report.diff.removed] == ["challenge.housing"]
    assert report.removed_codings == {"challenge.housing": 1}
    assert [(r.id, r.new_name) for r in report.diff.renamed] == [("referral.hotline", "Tip lines")]


def test_diff_without_snapshot_lists_everything_as_added(project):
    report = diff_project(project)
    assert report.snapshot_id is None
    assert [c.id for c in report.diff.added] == list(project.codebook.codes)


def test_rename_migrates_codings_children_and_file(coded):
    result = rename_project_code(coded, "referral", "source")
    assert result.mapping == {
        "referral": "source",
        "referral.hotline": "source.hotline",
        "referral.law_enforcement": "source.law_enforcement",
    }
    assert result.codings_updated == 2
    assert [c for c, _ in coded_ids(coded)] == ["source.hotline", "source.hotline", "challenge.housing"]
    text = coded.codebook_path.read_text(encoding="utf-8")
    assert "id: source.hotline" in text and "id: referral" not in text
    assert "# A small codebook for tests" in text  # comments survive
    assert coded.codebook.get("source.hotline").name == "Hotlines and tip lines"
    with coded.read() as conn:
        assert versions.latest_snapshot(conn).hash == coded.codebook.hash
        assert result.snapshot_id == versions.latest_snapshot(conn).id
    assert diff_project(coded).diff.is_empty


def test_rename_then_coding_under_new_id(coded):
    rename_project_code(coded, "challenge.housing", "challenge.service_gap")
    CodingSession(coded, "ana").tag("vsp-1", 2, ["challenge.service_gap"], text="the hotline")
    assert [c for c, _ in coded_ids(coded)].count("challenge.service_gap") == 2


@pytest.mark.parametrize(
    ("old", "new", "error", "message"),
    [
        ("referal", "x", NotFoundError, "Unknown code 'referal'; did you mean 'referral'"),
        (
            "referral.hotline",
            "referral.law_enforcement",
            CodebookError,
            "code id 'referral.law_enforcement' already exists",
        ),
        ("referral", "Bad Id", CodebookError, "Invalid code id 'Bad Id'"),
    ],
)
def test_rename_refusals_change_nothing(coded, old, new, error, message):
    before_text = coded.codebook_path.read_text(encoding="utf-8")
    before = coded_ids(coded)
    with pytest.raises(error, match=message):
        rename_project_code(coded, old, new)
    assert coded.codebook_path.read_text(encoding="utf-8") == before_text
    assert coded_ids(coded) == before


def test_rename_rolls_back_when_the_file_cannot_be_written(coded, monkeypatch):
    def fail(path, text):
        raise OSError("disk full")

    monkeypatch.setattr(versions, "write_text_atomically", fail)
    before_text = coded.codebook_path.read_text(encoding="utf-8")
    with pytest.raises(OSError):
        rename_project_code(coded, "referral", "source")
    assert [c for c, _ in coded_ids(coded)] == ["referral.hotline", "referral.hotline", "challenge.housing"]
    assert coded.codebook_path.read_text(encoding="utf-8") == before_text
    with coded.read() as conn:
        assert conn.execute(select(codebook_versions.c.id)).scalars().all() == [1]


def test_version_rows(coded):
    edit_codebook(coded, "name: Hotlines and tip lines", "name: Tip lines")
    snapshot_project(coded)
    with coded.read() as conn:
        rows = versions.version_rows(conn)
    assert [(r["id"], r["codes"], r["codings"]) for r in rows] == [(1, 7, 3), (2, 7, 0)]
    assert rows[0]["path"].endswith("small.yaml")


def test_storing_a_version_another_coder_just_stored_returns_its_id(project):
    # Two processes may both see "new version" and insert; the loser must get the winner's id.
    with project.write() as conn:
        first = versions._insert_snapshot(conn, project.codebook)
        assert versions._insert_snapshot(conn, project.codebook) == first
        assert len(versions.list_snapshots(conn)) == 1
