"""Builders of hostile inputs: every test makes its own archive, sidecar or bundle."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from qualcode.interop.qdpx_read import SIDECAR
from qualcode.project import Project


def exported_qdpx(project: Project, path: Path) -> Path:
    """A genuine qualcode export of ``project`` (with its sidecar)."""
    from qualcode.interop.qdpx_export import export_qdpx

    export_qdpx(project, path)
    return path


def rewrite_entry(path: Path, entry: str, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite one entry of a zip archive in place (the others are copied unchanged)."""
    with zipfile.ZipFile(path) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    entries[entry] = change(entries[entry])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def rewrite_sidecar(path: Path, change: Callable[[dict], None]) -> Path:
    """Apply ``change`` to the archive's qualcode/project.json document."""

    def edit(data: bytes) -> bytes:
        document = json.loads(data)
        change(document)
        return json.dumps(document).encode("utf-8")

    return rewrite_entry(path, SIDECAR, edit)


def snapshot(project: Project) -> dict:
    """Everything an import could change: every table's rows, the config and the files."""
    from sqlalchemy import select

    from qualcode.store.schema import metadata

    with project.read() as conn:
        tables = {
            table.name: sorted(map(repr, conn.execute(select(table)).all()))
            for table in metadata.sorted_tables if table.name != "schema_version"
        }
    files = sorted(str(p.relative_to(project.root)) for p in project.root.rglob("*") if ".qualcode" not in p.parts)
    return {"tables": tables, "config": project.config_path.read_text(encoding="utf-8"), "files": files}


def run_cli(project: Project, *args: str):
    """``qualcode -p PROJECT args...`` through typer's CliRunner (stderr kept apart)."""
    from typer.testing import CliRunner

    from qualcode.cli.app import app

    return CliRunner().invoke(app, ["-p", str(project.root), *args])


def assert_one_line_refusal(result, *fragments: str) -> str:
    """Exit 1, one ``Error:`` line on stderr, no traceback; returns the line."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]
