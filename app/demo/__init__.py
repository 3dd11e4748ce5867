"""The demo organisation (placeholder until the demo loader lands)."""


def load_demo_if_empty() -> None:
    return None
