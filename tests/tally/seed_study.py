"""A constructed project whose codings reproduce the seed report's referral tables.

The ECM evaluation reports (service providers) "Referral streams were cited 151
times ... law enforcement (20.5 percent); other victim service providers (15 percent);
medical providers (12.6 percent); and community organizations and members (11.9
percent)" and (law enforcement) "cited 157 times ... hotlines or tip lines (33.1
percent); other law enforcement agencies (24.2 percent); victim service providers
(13.4 percent); and nonjustice government agencies (10.2 percent)".

Each stream is placed as (references, transcripts): reference j goes to transcript
j % transcripts, respondent turn j // transcripts, so the transcript and site counts
are known by construction (transcript i of a role is at site SITES[i % 10]). Noise
that must NOT change the counts is added on top: overlapping and repeated spans of
one code in one turn, another coder, an orphaned coding, codings of the parent itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.project import Project
from tests.conftest import use_codebook
from tests.helpers import REPO, add_transcript

ECM = REPO / "codebooks" / "ecm.yaml"
SITES = "ABCDEFGHIJ"
PER_ROLE = 20
RESPONDENT_TURNS = 6
CODER = "autocoder"

SERVICE_PROVIDER_REFERRALS = {
    "referral.law_enforcement": (31, 18),
    "referral.service_provider": (23, 15),
    "referral.medical": (19, 12),
    "referral.community": (18, 9),
    "referral.hotline": (15, 7),
    "referral.government": (14, 6),
    "referral.justice_system": (12, 5),
    "referral.prosecutor": (10, 4),
    "referral.self": (9, 3),
}
LAW_ENFORCEMENT_REFERRALS = {
    "referral.hotline": (52, 20),
    "referral.law_enforcement": (38, 16),
    "referral.service_provider": (21, 11),
    "referral.government": (16, 8),
    "referral.online": (9, 5),
    "referral.patrol": (8, 4),
    "referral.investigation": (7, 3),
    "referral.community": (6, 2),
}
PROSECUTOR_REFERRALS = {"referral.law_enforcement": (3, 3)}
# (code, transcript, respondent slot): challenge themes, incl. two grandchildren in one turn.
CHALLENGES = (
    [("challenge.resources", f"vsp-{i:02d}", 0) for i in range(1, 9)]          # sites A-H
    + [("challenge.resources", f"le-{i:02d}", 0) for i in range(1, 5)]         # sites A-D
    + [("challenge.service_gaps.housing", f"vsp-{i:02d}", 1) for i in range(1, 6)]
    + [("challenge.service_gaps.behavioral_health", f"vsp-{i:02d}", 1) for i in range(1, 4)]
    + [("challenge.service_gaps.behavioral_health", "vsp-06", 2)]
    + [("challenge.service_gaps", "vsp-07", 1)]
    + [("challenge.collaboration.turnover", "le-05", 1)]
)


def transcript_ids(prefix: str) -> list[str]:
    return [f"{prefix}-{i:02d}" for i in range(1, PER_ROLE + 1)]


def site_of(transcript_id: str) -> str:
    return SITES[(int(transcript_id.rsplit("-", 1)[1]) - 1) % len(SITES)]


def turns(transcript_id: str) -> list[tuple[str, str]]:
    out = []
    for n in range(1, RESPONDENT_TURNS + 1):
        out.append(("Interviewer", f"Question {n}?"))
        answer = f"Answer {n} of {transcript_id}: cases come to us from many places, and we always need more resources."
        out.append(("Respondent", answer))
    return out


def placements(streams: dict[str, tuple[int, int]], ids: list[str]) -> list[tuple[str, str, int]]:
    """(code, transcript, respondent slot) for each reference of each stream."""
    out = []
    for code, (references, spread) in streams.items():
        out += [(code, ids[j % spread], j // spread) for j in range(references)]
    return out


def _insert(conn, transcripts, coder, code, transcript_id, slot, *, span=None, orphan=False) -> None:
    from qualcode.store.codings import insert_coding

    transcript, ids = transcripts[transcript_id]
    segment = transcript.segment(2 * (slot + 1))
    start, end = span or (segment.start, segment.end)
    insert_coding(conn, {
        "transcript_id": transcript_id, "segment_id": None if orphan else ids[segment.ordinal],
        "coder": coder, "code_id": code, "start_offset": start, "end_offset": end,
        "origin": "rules", "orphaned": orphan,
    })


def build_seed_project(root: Path) -> Project:
    """The project: 20 service-provider, 20 law-enforcement and 3 prosecutor interviews."""
    Project.init(root).close()
    use_codebook(root, ECM)
    project = Project(root)
    for code in {*SERVICE_PROVIDER_REFERRALS, *LAW_ENFORCEMENT_REFERRALS, *(c for c, _, _ in CHALLENGES)}:
        project.codebook.get(code)  # fails loudly if codebooks/ecm.yaml lost a code
    roles = {"vsp": "service_provider", "le": "law_enforcement"}
    all_ids = {prefix: transcript_ids(prefix) for prefix in roles}
    all_ids["pros"] = transcript_ids("pros")[:3]
    roles["pros"] = "prosecutor"
    for prefix, ids in all_ids.items():
        for tid in ids:
            add_transcript(project, tid, roles[prefix], turns(tid), site=site_of(tid))
    _code(project, all_ids)
    return project


def _code(project: Project, all_ids: dict[str, list[str]]) -> None:
    from qualcode.store.codings import ensure_coder
    from qualcode.store.transcripts import load_transcript, segment_ids

    placed = (placements(SERVICE_PROVIDER_REFERRALS, all_ids["vsp"])
              + placements(LAW_ENFORCEMENT_REFERRALS, all_ids["le"])
              + placements(PROSECUTOR_REFERRALS, all_ids["pros"]) + CHALLENGES)
    with project.write() as conn:
        transcripts = {t: (load_transcript(conn, t), segment_ids(conn, t)) for ids in all_ids.values() for t in ids}
        for coder in (CODER, "bob"):
            ensure_coder(conn, coder)
        for code, tid, slot in placed:
            _insert(conn, transcripts, CODER, code, tid, slot)
        _noise(conn, transcripts, placed)


def _noise(conn, transcripts, placed) -> None:
    """Codings that must not change any count for CODER."""
    for code, tid, slot in placed:
        if tid in ("vsp-01", "le-01", "le-02"):
            segment = transcripts[tid][0].segment(2 * (slot + 1))
            middle = (segment.start + segment.end) // 2
            _insert(conn, transcripts, CODER, code, tid, slot, span=(segment.start + 3, middle))  # overlaps
            _insert(conn, transcripts, CODER, code, tid, slot, span=(middle + 1, segment.end))   # disjoint
    for tid in transcript_ids("le"):
        _insert(conn, transcripts, "bob", "referral.medical", tid, 0)
    _insert(conn, transcripts, CODER, "referral.hotline", "le-03", 4, orphan=True)
    for tid in ("vsp-01", "vsp-02"):
        _insert(conn, transcripts, CODER, "referral", tid, 5)


@pytest.fixture
def seed_project(tmp_path: Path) -> Project:
    project = build_seed_project(tmp_path / "seed")
    yield project
    project.close()
