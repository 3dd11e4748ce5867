"""A refused form, the one way: undo what the attempt flushed, then show the form again.

The request's session commits whatever the route leaves in it when the route returns, and a
page that shows an error returns normally. So a service that flushed a row before refusing
would have that row committed behind the error message, unless the page rolls back first.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.errors import AppError
from app.templating import templates

Errors = str | Sequence[str] | Mapping[str, str]
"""What went wrong: one message, several, or one per form field (by the field's name)."""

Context = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


def error_list(error: AppError | Errors) -> list[str] | dict[str, str]:
    """The messages for `_partials/errors.html`: a list, or field name → message."""
    if isinstance(error, AppError):
        return [str(error.detail)]
    if isinstance(error, str):
        return [error]
    if isinstance(error, Mapping):
        return dict(error)
    return list(error)


def form_failed(
    session: Session,
    request: Request,
    template: str,
    context: Context,
    error: AppError | Errors,
    *,
    status_code: int | None = None,
) -> Response:
    """Roll back, then render `template` with the error (as `errors`) and a 4xx status.

    `context` may be a function: it is then called after the rollback, so that what the page
    shows is the database as it is, not the refused attempt. The status is `status_code`, else
    the error's own, else 422.
    """
    session.rollback()
    values = dict(context() if callable(context) else context)
    if status_code is None:
        status_code = error.status_code if isinstance(error, AppError) else 422
    return templates.TemplateResponse(
        request, template, {**values, "errors": error_list(error)}, status_code=status_code
    )
