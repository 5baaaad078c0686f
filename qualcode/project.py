"""The project: a folder with ``qualcode.toml``, its codebook and its store.

``Project`` is the façade the CLI, the TUI and the Python API use: it finds the
project (walking up from the working directory like git), reads its settings, opens
the store and loads the active codebook.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import ProjectError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from qualcode.codebook import Codebook

CONFIG_NAME = "qualcode.toml"
STORE_DIR = ".qualcode"
STORE_NAME = "qualcode.db"
DATABASE_URL_ENV = "QUALCODE_DATABASE_URL"
CODER_ENV = "QUALCODE_CODER"
PROJECT_FOLDERS = ("codebooks", "transcripts", "reports")


class Project:
    """An opened qualcode project."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.config_path = self.root / CONFIG_NAME
        self.config = _read_config(self.config_path)

    # -- finding and creating -------------------------------------------------

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """Open the project whose qualcode.toml is in ``start`` or one of its parents."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / CONFIG_NAME).is_file():
                return cls(folder)
        raise ProjectError(
            f"No qualcode project in {here} or its parents (no {CONFIG_NAME}); "
            "run 'qualcode init' or pass -p/--project DIR"
        )

    @classmethod
    def open(cls, directory: Path) -> Project:
        """Open the project at exactly ``directory`` (the -p/--project option)."""
        if not (directory / CONFIG_NAME).is_file():
            raise ProjectError(f"{directory} is not a qualcode project (no {CONFIG_NAME})")
        return cls(directory)

    @classmethod
    def init(cls, directory: Path, *, name: str | None = None, database_url: str | None = None) -> Project:
        """Create a project: qualcode.toml, its folders, a starter codebook and the store."""
        from qualcode.codebook import default_codebook_text

        directory = directory.resolve()
        if (directory / CONFIG_NAME).exists():
            raise ProjectError(f"{directory} is already a qualcode project ({CONFIG_NAME} exists)")
        directory.mkdir(parents=True, exist_ok=True)
        for folder in PROJECT_FOLDERS:
            (directory / folder).mkdir(exist_ok=True)
        codebook = directory / "codebooks" / "codebook.yaml"
        if not codebook.exists():
            codebook.write_text(default_codebook_text(), encoding="utf-8")
        (directory / CONFIG_NAME).write_text(
            _starter_config(name or directory.name, database_url), encoding="utf-8"
        )
        project = cls(directory)
        project.migrate()
        return project

    # -- settings -------------------------------------------------------------

    @property
    def name(self) -> str:
        return str(self.config.get("project", {}).get("name", self.root.name))

    def setting(self, section: str, key: str, default: Any = None) -> Any:
        return self.config.get(section, {}).get(key, default)

    @property
    def database_url(self) -> str:
        """Environment first (team mode), then qualcode.toml, then the project's SQLite file."""
        url = os.environ.get(DATABASE_URL_ENV) or self.setting("project", "database_url")
        if url:
            return str(url)
        from qualcode.store import sqlite_url

        return sqlite_url(self.root / STORE_DIR / STORE_NAME)

    @property
    def code_interviewer_turns(self) -> bool:
        """``[coding] code_interviewer_turns``: may interviewer turns be coded? (default: no)."""
        value = self.setting("coding", "code_interviewer_turns", False)
        if not isinstance(value, bool):
            raise ProjectError(
                f"{CONFIG_NAME}: [coding] code_interviewer_turns must be true or false, got {value!r}"
            )
        return value

    @property
    def codebook_path(self) -> Path:
        relative = self.setting("project", "codebook", "codebooks/codebook.yaml")
        return self.root / relative

    # -- store ----------------------------------------------------------------

    @cached_property
    def engine(self) -> Engine:
        from qualcode.store import open_engine, upgrade

        url = self.database_url
        if url.startswith("sqlite"):
            (self.root / STORE_DIR).mkdir(exist_ok=True)
        # Team mode on a shared login: the coder named by the environment or
        # [team] coder is bound to each server connection (qualcode.store.access).
        coder = os.environ.get(CODER_ENV) or self.setting("team", "coder")
        engine = open_engine(url, coder=coder)
        upgrade(engine)
        return engine

    def migrate(self) -> list:
        """Create or upgrade the store's schema; return the migrations applied."""
        from qualcode.store import upgrade

        return upgrade(self.engine)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading (one consistent snapshot)."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: everything inside commits together or not at all."""
        with self.engine.execution_options(qualcode_write=True).begin() as conn:
            yield conn

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
            del self.__dict__["engine"]

    # -- codebook -------------------------------------------------------------

    @cached_property
    def codebook(self) -> Codebook:
        from qualcode.codebook import load_codebook

        if not self.codebook_path.is_file():
            raise ProjectError(
                f"The project's codebook {self.codebook_path} does not exist; "
                f"fix 'codebook' in {CONFIG_NAME}"
            )
        return load_codebook(self.codebook_path)

    def reload_codebook(self) -> Codebook:
        self.__dict__.pop("codebook", None)
        return self.codebook


def _read_config(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProjectError(f"{path} not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ProjectError(f"{path}: invalid TOML: {error}; fix the file") from None


def _starter_config(name: str, database_url: str | None) -> str:
    url_line = f'database_url = "{database_url}"' if database_url else (
        '# database_url = "postgresql+psycopg://user@host/db"  # team mode; default: .qualcode/qualcode.db'
    )
    return f'''[project]
name = "{name}"
codebook = "codebooks/codebook.yaml"
{url_line}

[coding]
# Interviewer turns are context, not data: tagging one is refused unless this is true
# (tallies and the report then say that interviewer turns are counted).
code_interviewer_turns = false

[redaction]
# Terms masked in every export; see docs/quotes.md.
names = []
places = []
agencies = []
allow = []
'''
