"""The pager of a list page: "Showing X–Y of Z" and the previous / next links.

Every paged page builds one with `pager()` and shows it with `_partials/pager.html`.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request

from app.deps import Pagination


@dataclass(frozen=True)
class Pager:
    """One page of a list: which items it shows (1-based, 0 when none) and its neighbours."""

    first: int
    last: int
    total: int
    prev_url: str | None
    next_url: str | None

    @property
    def needed(self) -> bool:
        """Whether there is another page to go to."""
        return bool(self.prev_url or self.next_url)


def page_url(request: Request, *, offset: int, path: str | None = None) -> str:
    """This page's address with another `offset`, every other query parameter kept."""
    params = [(key, value) for key, value in request.query_params.multi_items() if key != "offset"]
    if offset:
        params.append(("offset", str(offset)))
    query = urlencode(params)
    return f"{path or request.url.path}{'?' + query if query else ''}"


def pager(request: Request, page: Pagination, total: int, *, path: str | None = None) -> Pager:
    """The pager of `page` of a list of `total` items; `path` when the links go elsewhere
    (a form posted to another address that shows the list again)."""
    shown = max(0, min(page.limit, total - page.offset))
    return Pager(
        first=page.offset + 1 if shown else 0,
        last=page.offset + shown if shown else 0,
        total=total,
        prev_url=page_url(request, offset=max(page.offset - page.limit, 0), path=path)
        if page.offset
        else None,
        next_url=page_url(request, offset=page.offset + page.limit, path=path)
        if page.offset + page.limit < total
        else None,
    )
