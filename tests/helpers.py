"""Test helpers shared across test packages (import as ``tests.helpers``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event

from qualcode.project import Project
from qualcode.transcripts.model import Transcript, Turn, render

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
SHARED = REPO.parent / "shared"

INTERVIEW = [
    ("Interviewer", "Where do your cases come from?"),
    ("Respondent", "Mostly the hotline. Police also bring us clients. It takes three years to trial."),
    ("Interviewer", "And housing?"),
    ("Respondent", "There's always a need for housing. Shelters are full."),
]


def add_coders(project: Project, *names: str) -> None:
    """Add coders the way ``qualcode coders add`` does (coders are never created by a typo)."""
    from qualcode.coding.coders import add_coder

    for name in names:
        add_coder(project, name)


def code_interviewer_turns(project: Project, value: str = "true") -> Project:
    """Set ``[coding] code_interviewer_turns`` in the project's qualcode.toml (named by the
    starter config) and reload the settings: for tests of codings on interviewer turns."""
    import tomllib

    config = project.config_path.read_text(encoding="utf-8")
    assert "code_interviewer_turns = false" in config, "the starter config names the setting"
    config = config.replace("code_interviewer_turns = false", f"code_interviewer_turns = {value}")
    project.config_path.write_text(config, encoding="utf-8")
    project.config = tomllib.loads(config)
    return project


def add_transcript(project: Project, transcript_id: str, role: str, turns, site: str = "A") -> Transcript:
    """Store a transcript made of (speaker, text) turns; 'Interviewer' asks."""
    from qualcode.store.transcripts import insert_transcript

    parsed = [Turn(speaker, text) for speaker, text in turns]
    text, segments = render(parsed, {"Interviewer"})
    transcript = Transcript(
        id=transcript_id, title=transcript_id, role=role, site=site, text=text,
        segments=segments, format="text", source_path=f"{transcript_id}.txt", sha256=transcript_id,
    )
    with project.write() as conn:
        insert_transcript(conn, transcript)
    return transcript


def set_lead(project: Project, name: str = "lead") -> None:
    """Name the project's lead in qualcode.toml ([project] lead) and reload the settings."""
    import tomllib

    path = project.config_path
    text = path.read_text(encoding="utf-8").replace("[project]\n", f'[project]\nlead = "{name}"\n', 1)
    path.write_text(text, encoding="utf-8")
    project.config = tomllib.loads(text)


# An interview of similar answers (issue 15's re-anchoring case): deleting one answer must
# orphan its coding, never move it onto "and we worked it with the sheriff." elsewhere.
SIMILAR_ANSWERS = [
    ("Interviewer", "Tell me about a case from last year."),
    ("Respondent", "A girl from the motel called the hotline, we met her that night, and we worked it with the sheriff."),
    ("Interviewer", "And another one?"),
    ("Respondent", "A woman from the nail salon called us, and we worked it with the sheriff."),
    ("Interviewer", "Any others?"),
    ("Respondent", "A boy from the truck stop called the hotline, we met him the next day, and we worked it with the sheriff."),
]


@contextmanager
def statements_of(target) -> Iterator[list[tuple[str, object]]]:
    """The ``(statement, parameters)`` run on ``target`` (an engine or a connection) inside the block."""
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append((statement, parameters))

    event.listen(target, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", seen)


def run_statements(conn, call: Callable[[object], object]) -> list[tuple[str, object]]:
    """The ``(statement, parameters)`` that ``call(conn)`` runs."""
    with statements_of(conn) as statements:
        call(conn)
    return statements
