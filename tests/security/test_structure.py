"""Hostile structure in files: deep nesting, duplicate user ids, writing as 'consensus'."""

from __future__ import annotations

import json
import zipfile

import pytest

from qualcode.coding.session import CodingSession
from tests.interop.refi_builders import Sel, Src, gid, project_xml, write_qdpx
from tests.security.hostile import assert_one_line_refusal, run_cli, snapshot

TEXT = "Interviewer: Where do referrals come from?\n\nRespondent: Mostly the hotline. Housing is short."
DEPTH = 1200


def _nested_codes(depth: int) -> str:
    return "".join(f'<Code guid="{gid(f"deep:{n}")}" name="c{n}" isCodable="true">' for n in range(depth)) + "</Code>" * depth


def _deep_qdpx(path, depth: int = DEPTH):
    xml = project_xml([Src("iv", TEXT, [Sel(58, 70, "Hotline")], {"role": "prosecutor"})])
    xml = xml.replace("</Codes>", _nested_codes(depth) + "</Codes>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr(f"sources/{gid('s:iv')}.txt", TEXT)
    return path


def test_codes_nested_deep_in_a_qdpx_are_one_line(victim, tmp_path):
    before = snapshot(victim)
    result = run_cli(victim, "import-project", str(_deep_qdpx(tmp_path / "deep.qdpx")), "--codebook-from-file")
    assert_one_line_refusal(result, "nested more than 64 levels deep", "nothing was imported")
    assert snapshot(victim) == before


@pytest.mark.parametrize("suffix", [".qdc", ".qdpx"])
def test_codes_nested_deep_in_codebook_import_are_one_line(victim, tmp_path, suffix):
    source = tmp_path / f"deep{suffix}"
    if suffix == ".qdc":
        source.write_text(f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{_nested_codes(DEPTH)}</Codes></CodeBook>')
    else:
        _deep_qdpx(source)
    result = run_cli(victim, "codebook", "import", str(source), "-o", str(tmp_path / "out.yaml"))
    assert_one_line_refusal(result, "nested more than 64 levels deep")
    assert not (tmp_path / "out.yaml").exists()


def _deep_yaml(depth: int) -> str:
    lines = ["format: 1", "roles:", "  service_provider: {label: Service provider}", "codes:"]
    for n in range(depth):
        pad = "  " * (2 * n)
        lines += [f"{pad}- id: c{n}", f"{pad}  name: C{n}", f"{pad}  definition: d", f"{pad}  children:"]
    lines[-1] = lines[-1].replace("children:", "roles: [service_provider]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("depth", [60, 600])
def test_codes_nested_deep_in_a_yaml_codebook_are_refused_not_a_recursion_error(victim, tmp_path, depth):
    path = tmp_path / "deep.yaml"
    path.write_text(_deep_yaml(depth), encoding="utf-8")
    result = run_cli(victim, "codebook", "validate", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.stdout + result.stderr
    assert "RecursionError" not in repr(result.exception)
    assert "nested" in result.stderr + result.stdout


def test_the_yaml_depth_limit_keeps_realistic_codebooks(victim, tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(_deep_yaml(12), encoding="utf-8")
    result = run_cli(victim, "codebook", "validate", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr


def test_duplicate_user_ids_are_refused(victim, tmp_path):
    path = write_qdpx(tmp_path / "dup.qdpx", [Src("iv", TEXT, [Sel(58, 70, "Hotline")], {"role": "prosecutor"})])
    twin = f'<User guid="{gid("u:ann")}" name="ann"/>'
    with zipfile.ZipFile(path) as archive:
        xml, text = archive.read("project.qde").decode(), archive.read(f"sources/{gid('s:iv')}.txt")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml.replace(twin, twin + f'<User guid="{gid("u:ann")}" name="mallory"/>'))
        archive.writestr(f"sources/{gid('s:iv')}.txt", text)
    before = snapshot(victim)
    result = run_cli(victim, "import-project", str(path), "--codebook-from-file")
    assert_one_line_refusal(result, "twice", "'ann' and 'mallory'", "nothing was imported")
    assert snapshot(victim) == before


def test_a_qdpx_writing_into_consensus_is_refused_unless_asked(victim, tmp_path):
    path = write_qdpx(tmp_path / "c.qdpx", [Src("iv", TEXT, [Sel(58, 70, "Hotline", user="consensus")],
                                             {"role": "prosecutor"})], users=("consensus",))
    before = snapshot(victim)
    result = run_cli(victim, "import-project", str(path), "--codebook-from-file")
    assert_one_line_refusal(result, "'consensus'", "--allow-consensus", "nothing was imported")
    assert snapshot(victim) == before
    result = run_cli(victim, "import-project", str(path), "--codebook-from-file", "--allow-consensus")
    assert result.exit_code == 0, result.stdout + result.stderr


@pytest.mark.coders("consensus")
def test_a_coder_bundle_named_consensus_is_refused_unless_asked(project, interview, tmp_path):
    CodingSession(project, "consensus").tag("vsp-1", 2, ["referral.hotline"], text="Mostly the hotline")
    bundle = tmp_path / "c.qcb"
    assert run_cli(project, "export", "coder", "consensus", "-o", str(bundle)).exit_code == 0
    with zipfile.ZipFile(bundle) as archive:
        document = json.loads(archive.read("bundle.json"))
    document["coder"] = "Consensus "  # case and spaces do not slip past
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("bundle.json", json.dumps(document))
    lead = tmp_path / "lead"
    from qualcode.project import Project
    from tests.conftest import use_codebook
    from tests.helpers import DATA, INTERVIEW, add_transcript

    Project.init(lead).close()
    use_codebook(lead, DATA / "codebooks" / "small.yaml")
    target = Project(lead)
    add_transcript(target, "vsp-1", "service_provider", INTERVIEW)
    before = snapshot(target)
    assert_one_line_refusal(run_cli(target, "merge", str(bundle)), "--allow-consensus", "nothing was imported")
    assert snapshot(target) == before
    assert run_cli(target, "merge", str(bundle), "--allow-consensus").exit_code == 0
    target.close()
