"""Command-line interface (typer). Thin: parse, call one core function, render."""
