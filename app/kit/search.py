"""Search patterns for SQL LIKE: what a person typed, with `%`, `_` and `\\` taken literally."""

ESCAPE = "\\"
"""The escape character every pattern here is written for: pass it as `like(..., escape=)`."""


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def containing(text: str) -> str:
    """A LIKE pattern matching values that contain `text` anywhere."""
    return f"%{_escaped(text)}%"


def starting_with(text: str) -> str:
    """A LIKE pattern matching values that start with `text`."""
    return f"{_escaped(text)}%"
