"""The fast coercion of plain values gives exactly what typer's own (pydantic) coercion
gives, and leaves every value it is unsure of, and every error, to typer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st

from qualcode.cli import coercion
from qualcode.cli.lazy import click

typer_coercion = pytest.importorskip("typer._coercion", reason="typer < 0.29 coerces with click's types")


def command():
    app = typer.Typer(add_completion=False)

    @app.command()
    def run(
        name: Annotated[str, typer.Argument()],
        count: Annotated[int, typer.Argument()],
        codes: Annotated[list[str], typer.Argument()],
        where: Annotated[Path | None, typer.Option()] = None,
        places: Annotated[list[Path] | None, typer.Option("--place")] = None,
        flag: Annotated[bool, typer.Option()] = False,
        bounded: Annotated[int, typer.Option(min=1)] = 1,
        share: Annotated[float, typer.Option()] = 0.5,
        existing: Annotated[Path | None, typer.Option(exists=True)] = None,
    ) -> None:
        pass  # only its parameters are used

    return typer.main.get_command(app)


def both_fast(name: str, value):
    """The fast coercion's result, or 'unsure'."""
    param = next(p for p in command().params if p.name == name)
    try:
        return coercion.converter(param.type_descriptor)(value)
    except coercion.Unsure:
        return "unsure"


def both(name: str, value):
    """(fast result or 'unsure', typer's own result) for parameter ``name`` given ``value``."""
    cmd = command()
    ctx = click.Context(cmd)
    param = next(p for p in cmd.params if p.name == name)
    fast = both_fast(name, value)
    slow = typer_coercion.build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)
    return fast, slow


@given(st.text(max_size=12) | st.from_regex(r"-?[0-9]{1,25}", fullmatch=True))
def test_an_integer_is_read_as_typer_reads_it_or_left_to_typer(text):
    try:
        fast, slow = both("count", text)
    except click.exceptions.BadParameter:  # typer refuses it: then the fast path must not accept it
        assert both_fast("count", text) == "unsure"
        return
    assert fast in ("unsure", slow)
    assert type(fast) is type(slow) or fast == "unsure"


@given(st.text(max_size=20))
def test_text_and_paths_are_what_typer_makes_of_them(text):
    fast, slow = both("name", text)
    assert fast == slow and type(fast) is str
    try:
        fast, slow = both("where", text)
    except click.exceptions.BadParameter:  # a null byte: typer refuses it, so must the fast path
        fast, slow = both_fast("where", text), "unsure"
    assert fast in ("unsure", slow)


FLAG_TEXT = st.sampled_from(["1", "0", "true", "FALSE", "Yes", "no", "on", "OFF", "y", "N", "t", "f", "2", "x"])


@given(st.text(max_size=6) | st.tuples(st.text(" \t\n\u00a0", max_size=2), FLAG_TEXT,
                                       st.text(" \t\n", max_size=2)).map("".join))
def test_a_flag_given_as_text_is_read_as_typer_reads_it_or_left_to_typer(text):
    """QUALCODE_QUIET=1 reaches the flag as the text "1": read without pydantic (~70 ms)."""
    try:
        fast, slow = both("flag", text)
    except click.exceptions.BadParameter:  # typer refuses it: then the fast path must not accept it
        assert both_fast("flag", text) == "unsure"
        return
    assert fast in ("unsure", slow)
    assert type(fast) is bool or fast == "unsure"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("count", "12", 12), ("count", "-3", -3), ("count", "007", 7), ("count", "+5", "unsure"),
        ("count", "1_000", "unsure"), ("count", " 4", "unsure"), ("codes", ("a", "b"), ["a", "b"]),
        ("codes", (), []), ("where", "a//b/", Path("a/b")), ("where", "", "unsure"),
        ("places", ("x", "y"), [Path("x"), Path("y")]), ("flag", True, True), ("flag", "1", True),
        ("flag", " No ", False), ("flag", "", False),
    ],
)
def test_examples(name, value, expected):
    fast, slow = both(name, value)
    assert fast == expected
    if expected != "unsure":
        assert slow == expected and type(slow) is type(expected)


@pytest.mark.parametrize("name", ["bounded", "share", "existing"])
def test_constrained_and_other_types_keep_typers_coercion(name):
    cmd = command()
    param = next(p for p in cmd.params if p.name == name)
    assert coercion.converter(param.type_descriptor) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["n", "x1", "c"], "'count': Input should be a valid integer"),
        (["n", "+4", "c", "--bounded", "0"], "greater than or equal to 1"),
        (["n", "1", "c", "--existing", "no/such/file"], "does not exist"),
    ],
)
def test_errors_are_typers_own(args, message):
    """The group installs the fast coercion; a value it is unsure of still gets typer's
    message (and a value it passes on, like "+4", typer's reading)."""
    cmd = command()
    coercion.install_everywhere(cmd)
    with pytest.raises(click.exceptions.BadParameter) as refused:
        cmd.main(args, prog_name="run", standalone_mode=False)
    assert message in refused.value.format_message()


def test_installed_parameters_parse_the_command_line():
    cmd = command()
    seen: dict = {}
    cmd.callback = lambda **values: seen.update(values)
    coercion.install_everywhere(cmd)
    cmd.main(["n", "+4", "a", "b", "--where", "w", "--place", "p", "--flag"], prog_name="run", standalone_mode=False)
    assert seen["count"] == 4 and seen["codes"] == ["a", "b"] and seen["where"] == Path("w")
    assert seen["places"] == [Path("p")] and seen["flag"] is True
    plain = {p.name for p in cmd.params if isinstance(p._runtime_param, coercion.PlainRuntimeParam)}
    assert plain == {"name", "count", "codes", "where", "places", "flag"}
