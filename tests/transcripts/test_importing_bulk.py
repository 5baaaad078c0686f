"""A batch's new transcripts are checked and inserted together (issue 21): the outcome of
every file and what is stored are exactly what storing the files one at a time gives
(the one-at-a-time path is the model), whatever mix of new ids, stored ids, repeated
content, bad files, --replace and --allow-duplicate the batches hold."""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.project import Project
from qualcode.store import transcripts as queries
from qualcode.transcripts import importing
from tests.conftest import use_codebook
from tests.helpers import DATA

ANSWER = "Interviewer: Where do referrals come from?\n\nRespondent: Mostly {}.\n"
CONTENTS = (
    ANSWER.format("the hotline"),
    ANSWER.format("the hotline").replace("\n", "\r\n"),  # another file, the same normalised text
    ANSWER.format("the police"),
    ANSWER.format("the police") + "\n",  # the same text again, as a third file
    "",  # empty: fails to parse
    "Interviewer: Hello?\n\nRespondent: Yes\x00.\n" * 3,  # control characters: refused
)
NAMES = ("a", "b", "c", "x" * 201)  # an id longer than the store holds: refused when stored
FILES = st.lists(st.tuples(st.sampled_from(NAMES), st.integers(0, len(CONTENTS) - 1)), min_size=1, max_size=5)
counter = itertools.count()


def one_at_a_time(conn, items, policy):
    return [importing._store_and_release(conn, item, policy) for item in items]


def run_batches(root: Path, batches: list[list[Path]], allow: bool, replace: bool, model: bool):
    Project.init(root).close()
    use_codebook(root, DATA / "codebooks" / "small.yaml")
    project = Project(root)
    seen = []
    try:
        with mock.patch.object(importing, "_store_all", one_at_a_time) if model else contextlib.nullcontext():
            for number, paths in enumerate(batches):
                requests = [importing.ImportRequest(path, "VSP", "A") for path in paths]
                outcomes = importing.import_transcripts(
                    project, requests, skip_bad=True, allow_duplicate=allow, replace=replace and number > 0)
                seen += [(o.transcript_id, o.status, o.message, o.turns, o.words, tuple(o.notes)) for o in outcomes]
        with project.read() as conn:
            for tid in queries.transcript_ids(conn):
                row = queries.transcript_row(conn, tid)
                segments = [(s.ordinal, s.speaker, s.is_interviewer, s.start, s.end) for s in queries.load_segments(conn, tid)]
                seen.append((tid, row.sha256, row.text_sha256, row.text, row.role, row.site, row.format, segments))
    finally:
        project.close()
    return seen


def write_files(folder: Path, files: list[tuple[str, int]]) -> list[Path]:
    paths = []
    for number, (name, content) in enumerate(files):
        path = folder / f"f{number}" / f"{name}.txt"  # one folder each: a batch may repeat a name
        path.parent.mkdir(parents=True)
        path.write_bytes(CONTENTS[content].encode("utf-8"))
        paths.append(path)
    return paths


@settings(max_examples=15)  # each example makes two projects (two schemas on PostgreSQL): ~0.5 s
@given(first=FILES, second=FILES, allow=st.booleans(), replace=st.booleans())
def test_a_batch_is_stored_as_file_by_file(tmp_path, first, second, allow, replace):
    work = tmp_path / f"example-{next(counter)}"
    batches = [write_files(work / "one", first), write_files(work / "two", second)]
    bulk = run_batches(work / "bulk", batches, allow, replace, model=False)
    model = run_batches(work / "model", batches, allow, replace, model=True)
    assert bulk == model


@pytest.mark.parametrize("allow", [False, True])
def test_repeated_content_in_one_batch_and_against_the_store(tmp_path, allow):
    """The cases the property must reach, spelled out: a file repeating a stored one, and
    two files of one batch repeating each other (same bytes, or the same text)."""
    batches = [write_files(tmp_path / "one", [("a", 0)]),
               write_files(tmp_path / "two", [("b", 1), ("c", 2), ("a", 3)])]
    seen = run_batches(tmp_path / "bulk", batches, allow, replace=False, model=False)
    statuses = [(tid, status, message) for tid, status, message, *_ in seen[:4]]
    if allow:
        assert statuses == [("a", "imported", ""),
                            ("b", "imported", "warning: same content as 'a' (same text); imported again (--allow-duplicate)"),
                            ("c", "imported", ""),
                            # 'a' holds the hotline text, a different file: --replace not given
                            ("a", "failed", statuses[3][2])]
        assert "different version of this file" in statuses[3][2]
    else:
        assert statuses[1][:2] == ("b", "failed") and "same content as transcript 'a' (same text)" in statuses[1][2]
        assert statuses[2] == ("c", "imported", "")
    assert seen == run_batches(tmp_path / "model", batches, allow, replace=False, model=True)
