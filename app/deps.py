"""Cross-domain, domain-free dependencies: ids, pagination, and the browser session's keys.

Who is asking and what they may do (CurrentUser, the role guards) is auth's: app.auth.dependencies.
"""

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import BaseModel

MAX_ID = 2_147_483_647
"""The largest id an integer primary key holds on PostgreSQL: larger ones are simply unknown."""
# What the signed browser-session cookie holds: sign-in writes the first two, the page
# templates the form token; the cache headers look for a signed-in user.
SESSION_USER_KEY = "user_id"
SESSION_CSRF_KEY = "csrf"
SESSION_GENERATION_KEY = "generation"
"""The user's `session_generation` at sign-in: a cookie from an older one is signed out."""


IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="A numeric id.")]


class Pagination(BaseModel):
    limit: int
    offset: int


# `async`: it only reads the query, and a plain `def` dependency costs a hop to a thread.
async def pagination(
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> Pagination:
    return Pagination(limit=limit, offset=offset)


PaginationDep = Annotated[Pagination, Depends(pagination)]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; `total` counts every item that matches the filters."""

    items: list[T]
    total: int
    limit: int
    offset: int
