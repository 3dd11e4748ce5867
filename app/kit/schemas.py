"""The base of every request body in every domain: one rule for what a body may hold."""

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


class Input(BaseModel):
    """A request body: a field it does not know is refused (a 422 naming it), never dropped.

    Dropping would let a client believe it saved something it did not (a `quotes` list sent
    with a recap's summary, a misspelt field name).
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text; say so instead of failing on insert.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value
