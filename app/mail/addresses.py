"""The one form email addresses are stored, compared and deduplicated in.

Here, in the mail mechanism, so auth, the outbox and every domain share it without a cycle.
"""


def normalize_email(value: str) -> str:
    """Trimmed and lower-case."""
    return value.strip().lower()
