"""Counts in words, the one way every page, email and audit summary says them."""


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """'1 session', '12 sessions', '1,234 people': the count, thousands separated, and its noun."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
