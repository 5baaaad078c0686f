"""Benchmark of the coding screen: keypress-to-render latency on a large transcript.

Builds a scratch project with one generated 20,000-word transcript (200 interviewer
questions, 200 respondent answers) and 2,000 codings inserted through the store
(1,500 by the benchmark coder on 150 of the answers, 500 by a second coder), opens
the real Textual app headless with Textual's pilot and times each keypress from the
press until the screen has been repainted (``await pilot.press(k); await
pilot.pause()``; ``pause`` runs the screen's pending layout and compositor update).
It also times saving one coding action through ``CodingSession.tag`` / ``untag``.

``F … Enter`` (a search of every transcript) is timed two ways: with the search index
up to date, and just after an import (every fourth round one more generated
8,000-word interview is inserted through the store, as ``qualcode import`` writes it,
before the F; the index does not hold it yet); the session's first F (which the screen
prepares for between keys, qualcode/tui/search_actions.py) is also shown on a row of
its own. The screen indexes what it lacks only
once no key came for a second, and this benchmark never pauses, so before each timed F
the index is brought up to date untimed, as a coder's pauses would.

Run::

    python benchmarks/bench_tui.py            # prints a table
    python benchmarks/bench_tui.py --json out.json
    python benchmarks/bench_tui.py --own-actions --presses 160  # only j k t u U, the filter, : N Enter (quick A/B)
    python benchmarks/bench_tui.py --extra-transcripts 100 --search "hotline housing"  # F hits ~80 transcripts

Target: p95 under 50 ms for every action (CPU p95 under 25 ms); opening the jump list
under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qualcode.project import Project  # noqa: E402
from qualcode.transcripts.model import Transcript, Turn, render  # noqa: E402

CODER, OTHER = "bench", "other"
TRANSCRIPT = "bench-vsp-01"
ROLE = "service_provider"
WORDS = (
    "victim survivor case police referral hotline housing shelter trial prosecutor task force "
    "services trafficking labor sex agency federal local advocate interview trauma training "
    "funding community partner meeting arrest evidence court testimony safety plan outreach "
    "the a and of to in we they it was is that with for on our their have had been would could "
    "really always sometimes never usually often about because when where who what which"
).split()


# -- building the project -------------------------------------------------------


def sentence(rng: random.Random, words: int) -> str:
    body = " ".join(rng.choice(WORDS) for _ in range(words))
    return body[0].upper() + body[1:] + rng.choice(".....?!")


def turn_text(rng: random.Random, words: int) -> str:
    parts, left = [], words
    while left > 0:
        n = min(left, rng.randint(8, 20))
        parts.append(sentence(rng, n))
        left -= n
    return " ".join(parts)


def build_transcript(words: int, turns: int, seed: int) -> Transcript:
    """``turns`` turns alternating interviewer (10 words) and respondent (the rest)."""
    rng = random.Random(seed)
    pairs = turns // 2
    answer_words = (words - 10 * pairs) // pairs
    parsed = []
    for _ in range(pairs):
        parsed.append(Turn("Interviewer", turn_text(rng, 10)))
        parsed.append(Turn("Respondent", turn_text(rng, answer_words)))
    text, segments = render(parsed, {"Interviewer"})
    return Transcript(
        id=TRANSCRIPT, title="Generated benchmark interview", role=ROLE, site="B", text=text,
        segments=segments, format="text", source_path="generated", sha256="generated",
    )


def insert_codings(project: Project, transcript: Transcript, total: int, seed: int) -> int:
    """``total`` codings through the store: 3/4 by CODER on 3/4 of the answers, 1/4 by OTHER."""
    from qualcode.store import codings as store
    from qualcode.store.transcripts import segment_ids

    rng = random.Random(seed)
    codes = [c.id for c in project.codebook.codes_for(ROLE)]
    answers = transcript.respondent_segments
    coded_by_me = answers[: len(answers) * 3 // 4]
    plan = [(CODER, s) for s in coded_by_me] * 100
    plan = plan[: total * 3 // 4] + [(OTHER, s) for s in answers] * 100
    plan = plan[:total]
    with project.write() as conn:
        ids = segment_ids(conn, transcript.id)
        for name in (CODER, OTHER):
            store.ensure_coder(conn, name)
        used: set[tuple[str, int, str]] = set()
        inserted = 0
        for coder, segment in plan:
            code = rng.choice(codes)
            if (coder, segment.ordinal, code) in used:
                code = next(c for c in codes if (coder, segment.ordinal, c) not in used)
            used.add((coder, segment.ordinal, code))
            start, end = segment.start, segment.end
            if rng.random() < 0.3:  # some sub-span codings
                start = rng.randint(segment.start, (segment.start + segment.end) // 2)
                end = rng.randint(start + 1, segment.end)
            store.insert_coding(conn, {
                "transcript_id": transcript.id, "segment_id": ids[segment.ordinal], "coder": coder,
                "code_id": code, "start_offset": start, "end_offset": end, "origin": "manual",
                "confidence": None, "memo": None, "codebook_version_id": None,
            })
            inserted += 1
    return inserted


def build_project(root: Path, words: int, turns: int, codings: int, seed: int,
                  extra: int = 0) -> tuple[Project, Transcript, int]:
    from qualcode.search.index import refresh
    from qualcode.store.transcripts import insert_transcript

    Project.init(root).close()
    codebook = REPO / "codebooks" / "ecm.yaml"
    if codebook.is_file():
        (root / "codebooks" / "ecm.yaml").write_text(codebook.read_text(encoding="utf-8"), encoding="utf-8")
        config = root / "qualcode.toml"
        config.write_text(
            config.read_text(encoding="utf-8").replace("codebooks/codebook.yaml", "codebooks/ecm.yaml"),
            encoding="utf-8",
        )
    project = Project(root)
    transcript = build_transcript(words, turns, seed)
    with project.write() as conn:
        insert_transcript(conn, transcript)
    for n in range(extra):  # more interviews, for searches whose hits span many transcripts
        import_interview(project, f"bench-extra-{n:03d}", seed + 500 + n)
    refresh(project)  # the index up to date (as `qualcode search` or the screen's idle steps leave it)
    return project, transcript, insert_codings(project, transcript, codings, seed)


# -- measuring ---------------------------------------------------------------------


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {
        "n": len(ordered),
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p95_ms": round(1000 * p95, 2),
        "max_ms": round(1000 * ordered[-1], 2),
    }


class PaintClock:
    """Timestamps of the app's screen updates (the headless driver's writes)."""

    def __init__(self, app) -> None:
        self.times: list[float] = []
        display = app._display  # called by the screen with each compositor update

        def timed_display(screen, renderable) -> None:
            display(screen, renderable)
            self.times.append(time.perf_counter())

        app._display = timed_display


async def drive(project: Project, presses: int, pattern: str = "hotline",
                own_only: bool = False) -> tuple[dict, dict, dict, float, list[str]]:
    """Open the app and time a mix of keypresses.

    Returns three samples per action: *press to paint* (from sending the key to the
    last screen update it caused), the process *CPU time* spent meanwhile (what the
    key costs regardless of other load on the machine) and the *pilot round trip*
    (``press`` + ``pause``, which includes Textual's fixed idle-detection sleeps:
    at least 3 x 20 ms). ``own_only``: only the moves and the coder's own actions
    (``j``, ``k``, ``t``, ``u``, ``U``, the code filter, ``: N Enter``), for a quick A/B.
    """
    from qualcode.search.index import refresh
    from qualcode.tui.app import CodingApp

    paint: dict[str, list[float]] = {}
    round_trip: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    async def timed(pilot, action: str, key: str) -> None:
        seen = len(clock.times)
        started, cpu_started = time.perf_counter(), time.process_time()
        await pilot.press(key)
        await pilot.pause()
        finished, cpu_finished = time.perf_counter(), time.process_time()
        painted = clock.times[seen:]
        round_trip.setdefault(action, []).append(finished - started)
        paint.setdefault(action, []).append((painted[-1] if painted else finished) - started)
        cpu.setdefault(action, []).append(cpu_finished - cpu_started)

    started = time.perf_counter()
    app = CodingApp(project, CODER, TRANSCRIPT)
    async with app.run_test(size=(160, 48)) as pilot:
        clock = PaintClock(app)
        await pilot.pause()
        startup = time.perf_counter() - started
        suggesters = [getattr(s, "name", type(s).__name__) for s in app.state.suggesters]
        rounds = max(1, presses // 16)
        for i in range(rounds):
            await timed(pilot, "next turn (j)", "j")
            await timed(pilot, "next turn (j)", "j")
            await timed(pilot, "previous turn (k)", "k")
            await timed(pilot, "toggle code (t)", "t")  # apply ...
            await timed(pilot, "toggle code (t)", "t")  # ... and remove again
            if own_only:
                await timed(pilot, "toggle code (t)", "t")  # on again, for the undo below
            else:
                await timed(pilot, "sentence mode (s, l)", "s")
                await timed(pilot, "sentence mode (s, l)", "l")
                await timed(pilot, "toggle code (t)", "t")  # a sub-span coding
                await timed(pilot, "sentence mode (s, l)", "escape")
            await timed(pilot, "undo (u)", "u")
            await timed(pilot, "redo (U)", "U")
            await timed(pilot, "undo (u)", "u")
            await pilot.press("slash")
            for char in "hotl"[: 1 + i % 4]:
                await timed(pilot, "filter typing", char)
            await timed(pilot, "apply from filter (Enter)", "enter")
            await timed(pilot, "undo (u)", "u")
            if not own_only:
                if i % 2 == 0:
                    await timed(pilot, "next uncoded (n)", "n")
                    await timed(pilot, "nothing to code (-)", "minus")  # mark the uncoded turn ...
                    await timed(pilot, "nothing to code (-)", "minus")  # ... and clear the mark
                await timed(pilot, "select words (w, W, B)", "w")
                await timed(pilot, "select words (w, W, B)", "W")
                await timed(pilot, "select words (w, W, B)", "B")
                await timed(pilot, "grow by a sentence ())", "right_parenthesis")
                await timed(pilot, "toggle code on words (t)", "t")
                await timed(pilot, "undo (u)", "u")
                await timed(pilot, "select words (w, W, B)", "escape")
                await pilot.press("f", *"hotline"[: 3 + i % 4])
                await timed(pilot, "find in transcript (f … Enter)", "enter")
                await timed(pilot, "next match (>)", "greater_than_sign")
            await pilot.press("colon", *str(1 + (i * 37) % 400))
            await timed(pilot, "go to turn (: N Enter)", "enter")
            if own_only:
                continue
            await timed(pilot, "scroll definition (})", "right_curly_bracket")
            await timed(pilot, "open jump list (g)", "g")
            await timed(pilot, "close jump list (Esc)", "escape")
            if i % 2 == 0:  # searching every transcript: rarer
                # The screen indexes what it lacks only while no key comes for a second
                # (search_actions.INDEX_IDLE_SECONDS), and this loop never pauses: bring the index up
                # to date untimed, as a coder's pauses do, so the first row is what it says.
                refresh(project)
                searched = "search hits (F … Enter)"
                if i % 4 == 2:  # ... and now and then just after an import
                    import_interview(project, f"bench-new-{i:03d}", 1000 + i)
                    searched = "search hits, first after an import (F … Enter)"
                await timed(pilot, "search prompt (F)", "F")
                await pilot.press(*pattern)
                await timed(pilot, searched, "enter")
                if i == 0:  # the session's first F, also on a row of its own (n = 1 a run)
                    for samples in (paint, cpu, round_trip):
                        samples["search hits, first of the session (F … Enter)"] = [samples[searched][-1]]
                await timed(pilot, "close jump list (Esc)", "escape")
            await timed(pilot, "done (D)", "D")
            await timed(pilot, "done (D)", "D")
            if i % 4 == 0:  # the views list every passage / memo: open and close
                await timed(pilot, "passages view (P, Esc)", "P")
                await timed(pilot, "passages view (P, Esc)", "escape")
                await timed(pilot, "memos view (M, Esc)", "M")
                await timed(pilot, "memos view (M, Esc)", "escape")
    return paint, cpu, round_trip, startup, suggesters


def import_interview(project: Project, transcript_id: str, seed: int, words: int = 8_000) -> None:
    """One more generated interview, inserted as ``qualcode import`` stores it (not indexed)."""
    from dataclasses import replace

    from qualcode.store.transcripts import insert_transcript

    transcript = replace(build_transcript(words, 100, seed), id=transcript_id)
    with project.write() as conn:
        insert_transcript(conn, transcript)


def time_saving(project: Project, transcript: Transcript, count: int) -> dict[str, list[float]]:
    """Time CodingSession.tag and .untag (one transaction each, committed)."""
    from qualcode.coding.coders import add_coder
    from qualcode.coding.session import CodingSession

    add_coder(project, "saver")  # coders are added deliberately before they code
    session = CodingSession(project, "saver")
    code = project.codebook.codes_for(ROLE)[0].id
    answers = transcript.respondent_segments
    tags, untags = [], []
    for i in range(count):
        segment = answers[i % len(answers)]
        started = time.perf_counter()
        session.tag(transcript.id, segment.ordinal, [code])
        tags.append(time.perf_counter() - started)
        started = time.perf_counter()
        session.untag(transcript.id, segment.ordinal, [code])
        untags.append(time.perf_counter() - started)
    return {"CodingSession.tag (one coding, committed)": tags, "CodingSession.untag": untags}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument("--codings", type=int, default=2_000)
    parser.add_argument("--presses", type=int, default=400, help="about this many timed keypresses")
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--extra-transcripts", type=int, default=0,
                        help="this many more generated 8,000-word interviews in the project (indexed)")
    parser.add_argument("--search", default="hotline", help="the pattern F searches for")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--own-actions", action="store_true",
                        help="time only j, k, t, u, U, the code filter and : N Enter (a quick A/B of the shared repaint)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        project, transcript, inserted = build_project(
            Path(tmp) / "bench", args.words, args.turns, args.codings, args.seed, args.extra_transcripts
        )
        print(
            f"project: {transcript.word_count:,} words, {len(transcript.segments)} turns, "
            f"{inserted:,} codings, codebook {project.codebook_path.name}, "
            f"{args.extra_transcripts} more transcripts, F searches “{args.search}” "
            f"(built in {time.perf_counter() - started:.1f} s)"
        )
        load_before = os.getloadavg()[0]  # wall times mean little on a loaded machine; CPU times still do
        paint, cpu, round_trip, startup, suggesters = asyncio.run(
            drive(project, args.presses, args.search, args.own_actions))
        load = (load_before, os.getloadavg()[0])
        saving = time_saving(project, transcript, args.saves)
        project.close()

    results = {
        "press to paint": {action: summary(samples) for action, samples in paint.items()},
        "CPU time per keypress": {action: summary(samples) for action, samples in cpu.items()},
        "pilot round trip (press + pause)": {action: summary(samples) for action, samples in round_trip.items()},
        "saving one action": {action: summary(samples) for action, samples in saving.items()},
    }
    print(f"suggesters loaded: {', '.join(suggesters) or 'none'}; app start to first paint: {startup * 1000:.0f} ms")
    print(f"load average (1 min) while the keys were timed: {load[0]:.2f} at the start, {load[1]:.2f} at the end")
    for title, rows in results.items():
        print(f"\n{title:<44}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
        for action, row in rows.items():
            print(f"  {action:<42}{row['n']:>6}{row['p50_ms']:>10.1f}{row['p95_ms']:>10.1f}{row['max_ms']:>10.1f}")
    keys = results["press to paint"].values()
    print(f"\ntimed keypresses: {sum(r['n'] for r in keys)}; worst press-to-paint p95: "
          f"{max(r['p95_ms'] for r in keys):.1f} ms (target < 50 ms)")
    if args.json:
        args.json.write_text(json.dumps({"startup_ms": round(startup * 1000), "suggesters": suggesters,
                                         "load_average": load, "extra_transcripts": args.extra_transcripts,
                                         "search": args.search, "results": results}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
