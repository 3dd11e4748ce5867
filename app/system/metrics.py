"""Prometheus metrics: requests by route template, jobs, deliveries, imports, queue depth.

Counters live in each process. Under `storyroom serve`/`worker`/`run` the environment names
a shared directory (PROMETHEUS_MULTIPROC_DIR, set before this module is imported) and
/metrics adds every process's figures up. Figures that live in the database or the queue
(deliveries by status, queue depth) are read when scraped, so they are right whichever
process answers.
"""

import logging
import os
import time
from collections.abc import Callable, Iterator
from functools import cache, wraps
from typing import Annotated, ParamSpec, TypeVar

from fastapi import APIRouter, Header
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.db import table_of
from app.errors import AppError, NotFound
from app.kit.signing import same_secret
from app.models import Delivery

log = logging.getLogger("storyroom.request")

REQUESTS = Counter(
    "storyroom_http_requests", "HTTP requests answered.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "storyroom_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
IMPORTS = Counter("storyroom_imports", "File imports, by kind and outcome.", ["kind", "outcome"])


P = ParamSpec("P")
R = TypeVar("R")


def counted_import(kind: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Count each call of an import function as imported, or rejected when it refuses the file."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def counted(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                result = function(*args, **kwargs)
            except AppError:
                IMPORTS.labels(kind, "rejected").inc()
                raise
            IMPORTS.labels(kind, "imported").inc()
            return result

        return counted

    return decorate


class _StateCollector(Collector):
    """Figures read from the database and the queue at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from app.db import open_session
        from app.worker import huey

        queue = GaugeMetricFamily("storyroom_queue_depth", "Jobs waiting in the queue.")
        try:
            queue.add_metric([], huey.pending_count())
        except Exception:  # an unreachable queue shows as a missing figure, /readyz says why
            logging.getLogger(__name__).warning("queue depth unavailable", exc_info=True)
        else:
            yield queue
        deliveries = GaugeMetricFamily(
            "storyroom_deliveries", "Emails by kind and status.", labels=["kind", "status"]
        )
        table = table_of(Delivery)
        with open_session() as session:
            rows = session.connection().execute(
                select(table.c.kind, table.c.status, func.count()).group_by(
                    table.c.kind, table.c.status
                )
            )
            for kind, status, count in rows:
                deliveries.add_metric([str(kind), str(status)], count)
        yield deliveries


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    return registry


@cache
def scrape_registry() -> CollectorRegistry:
    """Every process's counters, plus the database and queue figures."""
    registry = _registry()
    registry.register(_StateCollector())
    return registry


def scrape() -> bytes:
    """Everything, in Prometheus' text format."""
    return generate_latest(scrape_registry())


router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "Prometheus text format."},
        404: {"description": "Metrics are off, or served on their own port."},
    },
)
def metrics(authorization: Annotated[str, Header()] = "") -> Response:
    """Prometheus metrics, for the bearer of STORYROOM_METRICS_TOKEN."""
    token = get_settings().metrics_token
    # Unknown without the token, so the endpoint gives nothing away to a stranger.
    if not token or not same_secret(authorization.removeprefix("Bearer "), token):
        raise NotFound("Not found.")
    return Response(scrape(), media_type=CONTENT_TYPE_LATEST)


class RequestMetricsMiddleware:
    """Count and time each request under its route template, and log one line for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None)
            # Unmatched paths are one label, so scanners cannot blow up the label space.
            template = route if route is not None else "unmatched"
            if template.startswith("/static"):
                template = "/static"
            REQUESTS.labels(scope["method"], template, str(status)).inc()
            LATENCY.labels(scope["method"], template).observe(elapsed)
            log.info(
                "%s %s %s %.1f ms",
                scope["method"],
                template,
                status,
                elapsed * 1000,
                extra={
                    "method": scope["method"],
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
