"""Sortable columns of a list page: `?sort=key` ascending, `?sort=-key` descending.

A page builds its headers with `sort_headers()` and shows each with the `sort_th` macro of
`_partials/sort.html`: a link that sorts by the column (or turns the order round when it is
the active one) and `aria-sort` on the active header.
"""

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from starlette.requests import Request


@dataclass(frozen=True)
class SortHeader:
    """One column header: where its link goes and, when the list is sorted by it, which way."""

    url: str
    aria_sort: Literal["ascending", "descending"] | None

    @property
    def active(self) -> bool:
        """Whether the list is sorted by this column."""
        return self.aria_sort is not None


def sort_url(request: Request, sort: str) -> str:
    """This page's address sorted by `sort`, from the first page, every filter kept."""
    params = [
        (key, value)
        for key, value in request.query_params.multi_items()
        if key not in ("sort", "offset", "after")
    ]
    return f"{request.url.path}?{urlencode([*params, ('sort', sort)])}"


def sort_headers(request: Request, current: str, columns: dict[str, bool]) -> dict[str, SortHeader]:
    """The headers of `columns` ({key: first click sorts descending}) for the `current` sort."""
    headers = {}
    for key, descending_first in columns.items():
        if current == key:
            headers[key] = SortHeader(sort_url(request, f"-{key}"), "ascending")
        elif current == f"-{key}":
            headers[key] = SortHeader(sort_url(request, key), "descending")
        else:
            first = f"-{key}" if descending_first else key
            headers[key] = SortHeader(sort_url(request, first), None)
    return headers
