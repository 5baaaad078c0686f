"""A .qdpx cannot write into qualcode.toml: file names from a file are validated, and
the configuration is written only through a TOML library, together with the store."""

from __future__ import annotations

import tomllib

import pytest

from qualcode.errors import InteropError, QualcodeError
from qualcode.interop.codebook_io import set_project_codebook
from qualcode.interop.qdpx_import import ImportOptions, import_project
from qualcode.project import Project, update_config
from tests.security.hostile import (
    assert_one_line_refusal,
    exported_qdpx,
    rewrite_sidecar,
    run_cli,
    snapshot,
)

INJECTIONS = [
    'x.yaml"\ndatabase_url = "sqlite:evil',  # a new key in [project]
    'x"\n[project]\nname = "two',  # a duplicate table: unparsable TOML after the commit
    "../../outside.yaml",  # leaves codebooks/
    "/etc/evil.yaml",  # absolute
    "sub/dir.yaml",  # a sub-folder
    ".hidden.yaml",  # a dot file
    "x.yaml\0.txt",  # NUL
    "codebook.txt",  # not YAML
]


@pytest.mark.parametrize("name", INJECTIONS, ids=range(len(INJECTIONS)))
def test_a_hostile_codebook_file_name_is_refused_and_nothing_is_written(coded, victim, tmp_path, name):
    path = rewrite_sidecar(exported_qdpx(coded, tmp_path / "x.qdpx"), lambda d: d["codebook"].update(file=name))
    before = snapshot(victim)
    result = run_cli(victim, "import-project", str(path), "--codebook-from-file")
    assert_one_line_refusal(result, "codebook.file must be a plain file name", "nothing was imported")
    assert snapshot(victim) == before
    config = tomllib.loads(victim.config_path.read_text(encoding="utf-8"))
    assert "database_url" not in config["project"]


def test_a_plain_codebook_file_name_is_still_imported_and_activated(coded, victim, tmp_path):
    path = rewrite_sidecar(exported_qdpx(coded, tmp_path / "x.qdpx"), lambda d: d["codebook"].update(file="ecm-v2.yaml"))
    import_project(victim, path, ImportOptions(codebook_from_file=True))
    config = tomllib.loads(victim.config_path.read_text(encoding="utf-8"))
    assert config["project"]["codebook"] == "codebooks/ecm-v2.yaml"
    assert "# database_url" in victim.config_path.read_text(encoding="utf-8")  # comments kept


def test_a_failed_commit_leaves_the_configuration_unchanged(coded, victim, tmp_path, monkeypatch):
    path = exported_qdpx(coded, tmp_path / "x.qdpx")
    before = snapshot(victim)
    import qualcode.interop.import_apply as apply

    def fail(*args, **kwargs):
        raise InteropError("simulated failure after the configuration was written")

    monkeypatch.setattr(apply, "log_inserted", fail)
    with pytest.raises(InteropError, match="simulated"):
        import_project(victim, path, ImportOptions(codebook_from_file=True))
    assert snapshot(victim) == before


@pytest.mark.parametrize("relative", ["codebooks/a\"b.yaml", "codebooks/../x.yaml", "other/x.yaml"])
def test_set_project_codebook_refuses_anything_but_a_plain_name(victim, relative):
    before = victim.config_path.read_text(encoding="utf-8")
    with pytest.raises(QualcodeError, match="must be codebooks/<plain file name>.yaml"):
        set_project_codebook(victim.config_path, relative)
    assert victim.config_path.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("value", ['a"b', "a\nb = 1", "[x]\n", "\\u0000", 'x"""'])
def test_update_config_round_trips_any_string(victim, value):
    update_config(victim.config_path, {"project": {"name": value}})
    assert Project(victim.root).name == value


def test_init_escapes_the_project_name(tmp_path):
    project = Project.init(tmp_path / "p", name='x"\ndatabase_url = "sqlite:evil')
    assert project.name == 'x"\ndatabase_url = "sqlite:evil'
    assert "database_url" not in project.config["project"]
    project.close()
