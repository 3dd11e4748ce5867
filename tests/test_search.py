"""LIKE patterns take what a person typed literally."""

from app.kit.search import containing, starting_with


def test_patterns_escape_wildcards_and_the_escape_character() -> None:
    assert containing("50%_off\\") == "%50\\%\\_off\\\\%"
    assert starting_with("on_boarding") == "on\\_boarding%"
