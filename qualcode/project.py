"""The project: a folder with ``qualcode.toml``, its codebook and its store.

``Project`` is the context handle the CLI, the TUI and the Python API open and hand
to every feature: it finds the project (walking up from the working directory like
git), reads its settings, opens the store and loads the active codebook. It sits
below the features and above the codebook and the store (docs/architecture.md).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.codebook.cache import load_codebook_cached
from qualcode.codebook.defaults import default_codebook_text
from qualcode.errors import ProjectError, QualcodeError
from qualcode.privacy import private_sqlite

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from qualcode.codebook import Codebook

CONFIG_NAME = "qualcode.toml"
STORE_DIR = ".qualcode"
STORE_NAME = "qualcode.db"
CODEBOOK_CACHE_NAME = "codebook-cache.json"  # the parsed codebook, beside the store (qualcode.codebook.cache)
DATABASE_URL_ENV = "QUALCODE_DATABASE_URL"
CODER_ENV = "QUALCODE_CODER"
PROJECT_FOLDERS = ("codebooks", "transcripts", "reports")
DEFAULT_MAX_SOURCE_MB = 32  # one transcript; a three-hour interview is under 1 MB


class Project:
    """An opened qualcode project."""

    def __init__(self, root: Path, *, connect_url: str | None = None) -> None:
        self.root = root.resolve()
        self.config_path = self.root / CONFIG_NAME
        self.config = _read_config(self.config_path)
        self._connect_url = connect_url  # init's --database-url, password and all, for this process only
        self.password_withheld = False  # init left a password out of qualcode.toml

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
        directory = directory.resolve()
        if (directory / CONFIG_NAME).exists():
            raise ProjectError(f"{directory} is already a qualcode project ({CONFIG_NAME} exists)")
        directory.mkdir(parents=True, exist_ok=True)
        for folder in PROJECT_FOLDERS:
            (directory / folder).mkdir(exist_ok=True)
        codebook = directory / "codebooks" / "codebook.yaml"
        if not codebook.exists():
            codebook.write_text(default_codebook_text(), encoding="utf-8")
        stored_url = without_password(database_url) if database_url else None
        (directory / CONFIG_NAME).write_text(
            _starter_config(name or directory.name, stored_url), encoding="utf-8"
        )
        project = cls(directory, connect_url=database_url)
        project.password_withheld = stored_url != database_url
        project.migrate()
        project.warm_codebook_cache()
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
        url = os.environ.get(DATABASE_URL_ENV) or self._connect_url or self.setting("project", "database_url")
        if url:
            return str(url)
        from qualcode.store import sqlite_url

        return sqlite_url(self.root / STORE_DIR / STORE_NAME)

    @property
    def max_source_bytes(self) -> int:
        """The largest single transcript an import reads: ``[import] max_source_mb`` (default 32)."""
        megabytes = self.setting("import", "max_source_mb", DEFAULT_MAX_SOURCE_MB)
        if isinstance(megabytes, bool) or not isinstance(megabytes, int | float) or not 0 < megabytes <= 1024:
            raise ProjectError(
                f"[import] max_source_mb in {CONFIG_NAME} must be a number of megabytes in (0, 1024], "
                f"got {megabytes!r:.40}"
            )
        return int(megabytes * 2**20)

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

    # The store is imported where it is used: it loads SQLAlchemy, which commands that
    # never open the store (and 'qualcode --help') should not pay for.

    @cached_property
    def engine(self) -> Engine:
        from qualcode.store import open_engine, upgrade

        url = self.database_url
        if url.startswith("sqlite"):
            private_sqlite(self.root / STORE_DIR / STORE_NAME)
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
        if not self.codebook_path.is_file():
            raise ProjectError(
                f"The project's codebook {self.codebook_path} does not exist; "
                f"fix 'codebook' in {CONFIG_NAME}"
            )
        return load_codebook_cached(self.codebook_path, self.root / STORE_DIR / CODEBOOK_CACHE_NAME)

    def warm_codebook_cache(self) -> None:
        """Parse the codebook now, so that the next commands find it in the cache (qualcode.codebook.cache).

        A codebook that does not validate is left for the command that needs it to report.
        """
        try:
            self.reload_codebook()
        except QualcodeError:
            self.__dict__.pop("codebook", None)

    def reload_codebook(self) -> Codebook:
        self.__dict__.pop("codebook", None)
        return self.codebook


def without_password(url: str) -> str:
    """``url`` with any password left out: qualcode.toml is shared and often in git.

    libpq then takes the password from PGPASSWORD, ~/.pgpass or a service file.
    """
    # Imported here: the store loads SQLAlchemy, which reading a project's settings does not need.
    from qualcode.store.engine import url_without_password

    cleaned = url_without_password(url)
    if cleaned is None:
        raise ProjectError("--database-url is not a database URL (expected e.g. postgresql+psycopg://HOST/DB)")
    return cleaned


def _read_config(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProjectError(f"{path} not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ProjectError(f"{path}: invalid TOML: {error}; fix the file") from None


def _starter_config(name: str, database_url: str | None) -> str:
    """The first qualcode.toml, built through tomlkit so no value can break out of its string."""
    import tomlkit

    document = tomlkit.document()
    project = tomlkit.table()
    project["name"] = name
    project["codebook"] = "codebooks/codebook.yaml"
    if database_url:
        project["database_url"] = database_url
    else:
        project.add(tomlkit.comment(
            'database_url = "postgresql+psycopg://user@host/db"  # team mode; default: .qualcode/qualcode.db'
        ))
    document["project"] = project
    coding = tomlkit.table()
    coding.add(tomlkit.comment("Interviewer turns are context, not data: tagging one is refused unless this is true"))
    coding.add(tomlkit.comment("(tallies and the report then say that interviewer turns are counted)."))
    coding["code_interviewer_turns"] = False
    document["coding"] = coding
    redaction = tomlkit.table()
    redaction.add(tomlkit.comment("Terms masked in every export; see docs/quotes.md."))
    for key in ("names", "places", "agencies", "allow"):
        redaction[key] = []
    document["redaction"] = redaction
    return tomlkit.dumps(document)


def update_config(path: Path, changes: dict[str, dict[str, Any]]) -> str:
    """Set ``changes`` (section -> key -> value; None removes the key) in qualcode.toml.

    Written only through tomlkit (comments and order kept), checked to parse back,
    and replaced atomically. Returns the old text so a caller can restore it.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    old = path.read_text(encoding="utf-8")
    try:
        document = tomlkit.parse(old)
    except TOMLKitError as error:
        raise ProjectError(f"{path}: invalid TOML: {error}; fix the file") from None
    for section, values in changes.items():
        if section not in document:
            document[section] = tomlkit.table()
        table = document[section]
        for key, value in values.items():
            if value is None:
                table.pop(key, None)
            else:
                table[key] = value
    new = tomlkit.dumps(document)
    tomllib.loads(new)  # why: never leave a file that the next command cannot read
    replace_text(path, new)
    return old


def replace_text(path: Path, text: str) -> None:
    """Replace a file's content in one step (temp file + os.replace), keeping its mode."""
    import tempfile

    mode = path.stat().st_mode & 0o777 if path.exists() else None
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
