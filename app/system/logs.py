"""Logs: JSON lines in production, readable lines on a terminal, one request id throughout.

The request id comes from the `X-Request-ID` header (a proxy's) or is made here; it is on
every log line of that request, on the response, and on the lines of the jobs the request
queued (`app.worker` carries it across). At info level lines carry ids, never personal data.
"""

import json
import logging
import logging.config
import re
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id: ContextVar[str] = ContextVar("request_id", default="-")

_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the fields given in `extra=`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "pid": record.process,  # which of `storyroom serve`'s processes
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def logging_config(*, json_lines: bool, level: str = "INFO") -> dict[str, Any]:
    """Every logger (ours, uvicorn's, huey's) through one handler on stderr, as a dictConfig.

    A dict rather than calls, so uvicorn can apply it again in each web process it starts.
    """
    line = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": _RequestIdFilter}},
        "formatters": {"line": {"()": JsonFormatter} if json_lines else {"format": line}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["request_id"],
                "formatter": "line",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # Access lines carry the full path, and signed links have their token in it.
            "uvicorn.access": {"handlers": [], "propagate": True, "level": "WARNING"},
            "huey": {"handlers": [], "propagate": True},
        },
    }


def configure_logging(*, json_lines: bool, level: str = "INFO") -> None:
    """Apply `logging_config` in this process."""
    logging.config.dictConfig(logging_config(json_lines=json_lines, level=level))


class RequestIdMiddleware:
    """Set the request id for the request's duration and echo it as `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        value = given if _VALID_ID.match(given) else secrets.token_hex(8)
        token = request_id.set(value)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", value.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
