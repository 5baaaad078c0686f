"""Memory stays a small multiple of the largest transcript; a source over the cap is refused."""

from __future__ import annotations

import json
import random
import re
import tracemalloc
import unicodedata
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.interop.offsets import _stable_start, normalise_with_map
from qualcode.interop.segmenting import _blocks, _rstrip_end, segment_text
from qualcode.project import update_config
from tests.interop.refi_builders import Sel, Src, write_qdpx
from tests.security.hostile import assert_one_line_refusal, run_cli, snapshot

WORDS = ["hotline", "police", "shelter", "clients", "housing", "trial", "court", "referral", "support", "case"]


def _interview(megabytes: float, seed: int = 16) -> str:
    rng, lines, size = random.Random(seed), [], 0
    while size < megabytes * 2**20:
        line = ("Respondent: " if len(lines) % 2 else "Interviewer: ") + " ".join(rng.choices(WORDS, k=14)) + ".  "
        lines.append(line)
        size += len(line) + 2
    return "\r\n".join(lines)


def test_a_source_over_max_source_mb_is_refused_in_one_line(victim, tmp_path):
    update_config(victim.config_path, {"import": {"max_source_mb": 0.01}})
    text = _interview(0.02)
    path = write_qdpx(tmp_path / "big.qdpx", [Src("big", text, [Sel(13, 20, "Hotline")], {"role": "prosecutor"})])
    before = snapshot(victim)
    line = assert_one_line_refusal(run_cli(victim, "import-project", str(path), "--codebook-from-file"),
                                   "source 'big' is", "at most 10,485 bytes", "[import] max_source_mb",
                                   "nothing was imported")
    assert "hotline" not in line.casefold()
    assert snapshot(victim) == before


def test_max_source_mb_must_be_a_number(victim, tmp_path):
    update_config(victim.config_path, {"import": {"max_source_mb": "lots"}})
    path = write_qdpx(tmp_path / "x.qdpx", [Src("x", "Respondent: hi there", [], {"role": "prosecutor"})])
    assert_one_line_refusal(run_cli(victim, "import-project", str(path)), "max_source_mb", "'lots'")


def test_positions_and_segments_of_a_large_transcript_take_a_small_multiple_of_its_size():
    text = _interview(1.0).replace("\r\n", "\n\n")
    segment_text(normalise_with_map(text[:2000])[0])  # modules loaded once are not the transcript's
    tracemalloc.start()
    try:
        normalised, index = normalise_with_map(text)
        segment_text(normalised)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # The list-of-ints map and the block regex's backtracking took ~230 bytes a character;
    # an int32 array map and line objects ~8 (the raw text is held by the caller).
    assert peak < 4 * len(text), f"{peak / len(text):.1f} bytes a character"
    assert index[len(text)] == len(normalised)


def _peak_of(call, *args) -> int:
    tracemalloc.start()
    try:
        call(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _warm_up(project, tmp_path) -> None:
    """One small import first, so the peak counts the transcript, not modules loaded once."""
    from qualcode.interop.qdpx_import import ImportOptions, import_project
    from qualcode.transcripts.importing import ImportRequest, import_transcripts

    path = write_qdpx(tmp_path / "small.qdpx", [Src("small", _interview(0.01, seed=1), [Sel(13, 20, "Hotline")], {})])
    import_project(project, path, ImportOptions(role="prosecutor", codebook_from_file=True))
    small = tmp_path / "small-text.txt"
    small.write_text(_interview(0.01, seed=2), encoding="utf-8")
    import_transcripts(project, [ImportRequest(small, "prosecutor", "A")])


MEMORY_MULTIPLE = 6  # issue 16: "a small multiple"; before this work the peaks were ~21x and ~10x


def test_importing_a_qdpx_peaks_at_a_small_multiple_of_its_largest_transcript(victim, tmp_path):
    from qualcode.interop.qdpx_import import ImportOptions, import_project

    _warm_up(victim, tmp_path)
    text = _interview(1.0, seed=3)
    path = write_qdpx(tmp_path / "big.qdpx", [Src("big", text, [Sel(13, 20, "Hotline")], {"role": "prosecutor"})])
    peak = _peak_of(import_project, victim, path, ImportOptions(codebook_from_file=True))
    assert peak < MEMORY_MULTIPLE * len(text), f"peak {peak / len(text):.1f} times the transcript"
    with victim.read() as conn:
        from qualcode.store.transcripts import load_transcript

        assert len(load_transcript(conn, "big").text) == len(text.replace("\r\n", "\n").replace("  \n", "\n").strip())


def test_importing_a_text_transcript_peaks_at_a_small_multiple_of_its_size(victim, tmp_path):
    from qualcode.transcripts.importing import ImportRequest, import_transcripts

    _warm_up(victim, tmp_path)
    source = tmp_path / "big.txt"
    source.write_text(_interview(1.0, seed=4), encoding="utf-8")
    size = source.stat().st_size
    peak = _peak_of(import_transcripts, victim, [ImportRequest(source, "prosecutor", "A")])
    assert peak < MEMORY_MULTIPLE * size, f"peak {peak / size:.1f} times the transcript"


@pytest.mark.parametrize("files", [6, 12])
def test_a_batch_larger_than_the_budget_peaks_at_its_budget_not_its_total(victim, tmp_path, monkeypatch, files):
    """Past the batch budget files are stored as they are parsed (one transaction all the
    same): the peak follows the budget and the largest file, not the batch's total — twice
    the files, about the same peak."""
    from qualcode.transcripts import importing

    monkeypatch.setattr(importing, "BATCH_TEXT_BUDGET", 2**20)
    victim = _with_max_source_mb(victim, 0.5)
    _warm_up(victim, tmp_path)
    requests = []
    for number in range(files):
        source = tmp_path / f"part-{number}.txt"
        source.write_text(_interview(0.45, seed=30 + number), encoding="utf-8")
        requests.append(importing.ImportRequest(source, "prosecutor", "A"))
    size = max(r.path.stat().st_size for r in requests)
    budget = 2 * 2**20  # the 1 MiB budget, or twice max_source_mb: the larger
    peak = _peak_of(importing.import_transcripts, victim, requests)
    # held: up to the budget plus one file's text and segments; then one file's transient peak
    assert peak < 3 * budget + MEMORY_MULTIPLE * size, f"peak {peak / size:.1f} times the largest file"
    with victim.read() as conn:
        from qualcode.store.transcripts import transcript_ids

        assert {r.id for r in requests} <= set(transcript_ids(conn))


def _with_max_source_mb(project, megabytes: float):
    from qualcode.project import Project

    update_config(project.root / "qualcode.toml", {"import": {"max_source_mb": megabytes}})
    return Project(project.root)


@pytest.mark.parametrize("budget", [1, 64 * 2**20])
def test_a_bad_file_late_in_a_large_batch_leaves_the_store_unchanged(victim, tmp_path, monkeypatch, budget):
    """Storing as it goes keeps all-or-nothing: a bad last file rolls back every earlier one."""
    from qualcode.transcripts import importing

    monkeypatch.setattr(importing, "BATCH_TEXT_BUDGET", budget)
    victim = _with_max_source_mb(victim, 0.5)
    requests = []
    for number in range(3):
        source = tmp_path / f"part-{number}.txt"
        source.write_text(_interview(0.05, seed=40 + number), encoding="utf-8")
        requests.append(importing.ImportRequest(source, "prosecutor", "A"))
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    requests.append(importing.ImportRequest(empty, "prosecutor", "A"))
    before = snapshot(victim)
    with pytest.raises(importing.TranscriptImportError):
        importing.import_transcripts(victim, requests)
    assert snapshot(victim) == before


# -- the array versions compute exactly what the list versions did -------------------------------


def _reference_deleting(text, deleted):
    if not deleted:
        return text, None
    pieces, mapping, kept_from, removed = [], [], 0, 0
    for start, end in deleted:
        pieces.append(text[kept_from:start])
        mapping.extend(range(kept_from - removed, start - removed))
        mapping.extend([start - removed] * (end - start))
        removed += end - start
        kept_from = end
    pieces.append(text[kept_from:])
    mapping.extend(range(kept_from - removed, len(text) - removed + 1))
    return "".join(pieces), mapping


def _reference_nfc(text):
    if unicodedata.is_normalized("NFC", text):
        return text, None
    pieces, mapping, position = [], [], 0
    starts = [i for i, c in enumerate(text) if i == 0 or _stable_start(c)] + [len(text)]
    for start, end in zip(starts, starts[1:], strict=False):
        chunk = text[start:end]
        composed = unicodedata.normalize("NFC", chunk)
        pieces.append(composed)
        mapping.extend(range(position, position + len(chunk)) if len(composed) == len(chunk) else [position] * len(chunk))
        position += len(composed)
    mapping.append(position)
    return "".join(pieces), mapping


def _reference_map(raw):
    text, mapping = raw, list(range(len(raw) + 1))
    steps = [
        lambda t: (lambda s, m: (s.replace("\r", "\n"), m))(*_reference_deleting(t, [(m.start(), m.start() + 1) for m in re.finditer(r"\r(?=\n)|\x00", t)])),
        _reference_nfc,
        lambda t: _reference_deleting(t, [m.span() for m in re.finditer(r"[^\S\n]+(?=\n|\Z)", t)]),
        lambda t: _reference_deleting(t, [m.span() for m in re.finditer(r"\A\s+|\s+\Z", t) if m.end() > m.start()]),
    ]
    for step in steps:
        text, step_map = step(text)
        if step_map is not None:
            mapping = [step_map[i] for i in mapping]
    return text, mapping


PIECES = list("ab \t\r\n\x00") + ["e\u0301", "\u0301", "\u0323", "\u212b", "\u0958", "\u1100", "\u1161", "\u11a8", "😀", "Å"]


@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_the_array_map_equals_the_list_map(raw):
    text, index = normalise_with_map(raw)
    expected_text, expected = _reference_map(raw)
    assert text == expected_text and index.tolist() == expected


OLD_BLOCK = re.compile(r"\S(?:.|\n(?![^\S\n]*\n))*")


@given(st.text(alphabet=st.sampled_from(list("ab \t\n")), max_size=60))
def test_blocks_equal_the_old_block_regex(text):
    expected = [(m.start(), _rstrip_end(text, m.start(), m.end())) for m in OLD_BLOCK.finditer(text)]
    assert _blocks(text) == expected


def test_the_limit_applies_to_inline_plain_text_content_too(victim, tmp_path):
    update_config(victim.config_path, {"import": {"max_source_mb": 0.001}})
    xml_text = "Respondent: " + "housing " * 400
    path = tmp_path / "inline.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", '<Project name="p"><Sources><TextSource guid="a" name="inline">'
                         f"<PlainTextContent>{xml_text}</PlainTextContent></TextSource></Sources></Project>")
    assert_one_line_refusal(run_cli(victim, "import-project", str(path), "--role", "prosecutor"), "source 'inline' is")


def test_the_plan_keeps_no_transcript_text_and_the_import_stores_every_source(victim, tmp_path):
    from qualcode.interop.qdpx_import import ImportOptions, import_project
    from qualcode.store.transcripts import load_transcript

    texts = {f"iv{n}": _interview(0.01, seed=n) for n in range(3)}
    path = write_qdpx(tmp_path / "three.qdpx", [Src(name, text, [Sel(13, 20, "Hotline")], {"role": "prosecutor"})
                                                for name, text in texts.items()])
    planned = import_project(victim, path, ImportOptions(codebook_from_file=True, dry_run=True))
    assert [s.transcript for s in planned.sources] == [None] * 3  # memory: one transcript at a time
    report = import_project(victim, path, ImportOptions(codebook_from_file=True))
    assert report.codings_added == 3
    with victim.read() as conn:
        for name, text in texts.items():
            assert load_transcript(conn, name).text == text.replace("\r\n", "\n").replace("  \n", "\n").strip()


def test_qualcode_import_refuses_a_file_over_max_source_mb(victim, tmp_path):
    update_config(victim.config_path, {"import": {"max_source_mb": 0.01}})
    source = tmp_path / "big.txt"
    source.write_text(_interview(0.02), encoding="utf-8")
    before = snapshot(victim)
    line = assert_one_line_refusal(run_cli(victim, "import", str(source), "--role", "prosecutor", "--site", "A"),
                                   "big.txt", "at most 10,485 bytes", "[import] max_source_mb")
    assert "hotline" not in line.casefold()
    assert snapshot(victim) == before


# -- coder bundles: the JSON is refused by size before it is parsed ------------------------------


def _bundle(path, padding: int = 0):
    document = {"format": "qualcode-coder-bundle", "version": 1, "coder": "ana", "transcripts": {},
                "codings": [], "events": [], "padding": "x" * padding}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bundle.json", json.dumps(document))
    return path


def test_a_bundle_over_max_bundle_mb_is_refused_before_it_is_parsed(victim, tmp_path, monkeypatch):
    update_config(victim.config_path, {"interop": {"max_bundle_mb": 0.01}})
    path = _bundle(tmp_path / "big.qcb", padding=20_000)
    parsed = []
    monkeypatch.setattr(json, "loads", lambda *a, **k: parsed.append(1))  # must not be reached
    before = snapshot(victim)
    assert_one_line_refusal(run_cli(victim, "merge", str(path)), "big.qcb: bundle.json is 20,",
                            "at most 10,485 are read", "[interop] max_bundle_mb", "nothing was merged")
    assert parsed == [] and snapshot(victim) == before


def test_a_bundle_under_the_cap_is_read(victim, tmp_path):
    update_config(victim.config_path, {"interop": {"max_bundle_mb": 1}})
    result = run_cli(victim, "merge", str(_bundle(tmp_path / "small.qcb", padding=20_000)), "--dry-run")
    assert "max_bundle_mb" not in result.stderr


@pytest.mark.parametrize("value", ["lots", 0, True])
def test_max_bundle_mb_must_be_a_positive_number(victim, tmp_path, value):
    update_config(victim.config_path, {"interop": {"max_bundle_mb": value}})
    assert_one_line_refusal(run_cli(victim, "merge", str(_bundle(tmp_path / "b.qcb"))), "[interop] max_bundle_mb",
                            "number of megabytes")
