"""Progress on long work: a bar on a terminal (stderr), nothing when piped or with --quiet;
the core reports a real total from the start."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from tests.cli.test_autocode_cli import rules_project  # noqa: F401  (the fixture)

runner = CliRunner()
TEXT = b"Interviewer: Where do cases come from?\nRespondent: Mostly the hotline, and police referrals.\n"


def files(tmp_path, n: int) -> list[str]:
    paths = []
    for i in range(n):
        path = tmp_path / f"vsp-{i}.txt"
        path.write_bytes(TEXT.replace(b"hotline", f"hotline {i}".encode()))
        paths.append(str(path))
    return paths


@pytest.mark.parametrize(("env", "quiet", "bar"), [
    ({"TTY_COMPATIBLE": "1"}, False, True),   # a terminal
    ({"TTY_COMPATIBLE": "1"}, True, False),   # a terminal, --quiet
    ({"TTY_COMPATIBLE": "0"}, False, False),  # a pipe
])
def test_import_shows_a_bar_only_on_a_terminal(project, tmp_path, env, quiet, bar):
    args = ["-p", str(project.root), *(["--quiet"] if quiet else []),
            "import", *files(tmp_path, 3), "--role", "VSP", "--site", "A"]
    result = runner.invoke(app, args, env={**env, "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert ("Importing" in result.output) == bar
    assert result.output.count(": imported (") == 3
    assert "0/?" not in result.output


def test_import_reports_every_file(project, tmp_path):
    from qualcode.transcripts.importing import ImportRequest, import_transcripts

    calls = []
    requests = [ImportRequest(__import__("pathlib").Path(f), "VSP", "A", {}, None) for f in files(tmp_path, 3)]
    import_transcripts(project, requests, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_report_sections_report_progress(project):
    from qualcode.report.model import ReportContext
    from qualcode.report.sections import run_sections

    calls = []
    context = ReportContext(project=project, coder=None, out_dir=project.root / "reports",
                            chart_dir=project.root / "reports" / "charts", settings={})
    run_sections(context, ["corpus"], lambda done, total: calls.append((done, total)))
    assert calls == [(0, 1), (1, 1)]


@pytest.mark.coders("alice")
def test_autocode_progress_knows_its_total_before_the_first_chunk(rules_project):  # noqa: F811
    from qualcode.coding.autocode.runner import autocode

    calls = []
    autocode(rules_project, dry_run=True, progress=lambda done, total: calls.append((done, total)))
    assert calls[0][0] == 0 and calls[0][1] > 0
    assert calls[-1][0] == calls[-1][1]


@pytest.mark.coders("alice")
def test_training_and_export_report_their_stages(rules_project, tmp_path):  # noqa: F811
    from qualcode.coding.learn import train
    from qualcode.coding.session import CodingSession
    from qualcode.interop.qdpx_export import export_qdpx

    session = CodingSession(rules_project, "alice")
    session.tag("vsp-1", 2, ["referral.hotline"])
    session.tag("pros-1", 2, ["charging"])
    trained, exported = [], []
    train(rules_project, "alice", min_positive=1, progress=lambda d, t: trained.append((d, t)))
    export_qdpx(rules_project, tmp_path / "x.qdpx", progress=lambda d, t: exported.append((d, t)))
    assert trained == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    transcripts = len(exported) - 1  # the export counts transcripts as it streams them
    assert transcripts >= 2 and exported == [(done, transcripts) for done in range(transcripts + 1)]
