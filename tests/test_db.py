"""The request's database session: a bounded number at once per process, in order."""

from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlmodel import Session
from starlette.types import Message

from app.config import Settings, get_settings
from app.db import POOL_OVERFLOW, POOL_SIZE, SessionDep, make_engine
from app.main import create_app


class Probe:
    """Counts the requests holding a session at once, and the order they got it in."""

    def __init__(self) -> None:
        self.holding = 0
        self.most = 0
        self.order: list[int] = []

    def install(self, app: FastAPI) -> None:
        @app.get("/probe/{n}")
        async def probe(n: int, session: SessionDep) -> dict[str, int]:
            self.holding += 1
            self.most = max(self.most, self.holding)
            self.order.append(n)
            await anyio.sleep(0.02)
            self.holding -= 1
            return {"n": n}

        @app.get("/probe-free")
        async def free() -> dict[str, str]:
            self.order.append(-1)
            return {}


async def get_all(app: FastAPI, paths: list[str]) -> list[int]:
    """GET every path at once, straight through ASGI; the statuses, in the order sent."""
    statuses = [0] * len(paths)

    async def one(index: int, path: str) -> None:
        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                statuses[index] = message["status"]

        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": [(b"host", b"testserver")],
            "scheme": "http",
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 1234),
            "root_path": "",
            "http_version": "1.1",
        }
        await app(scope, receive, send)

    async with anyio.create_task_group() as tasks:
        for index, path in enumerate(paths):
            tasks.start_soon(one, index, path)
            await anyio.sleep(0)  # each request reaches its turn before the next is sent
    return statuses


@pytest.mark.anyio
async def test_a_process_runs_no_more_sessions_at_once_than_the_setting_in_order(
    monkeypatch: pytest.MonkeyPatch, db: object
) -> None:
    monkeypatch.setattr(get_settings(), "max_active_requests", 3)
    app, probe = create_app(), Probe()
    probe.install(app)
    statuses = await get_all(app, [f"/probe/{n}" for n in range(20)])
    assert statuses == [200] * 20
    assert probe.most == 3
    assert probe.order == list(range(20))  # first come, first served


@pytest.mark.anyio
async def test_requests_without_a_session_do_not_wait_for_a_turn(
    monkeypatch: pytest.MonkeyPatch, db: object
) -> None:
    monkeypatch.setattr(get_settings(), "max_active_requests", 1)
    app, probe = create_app(), Probe()
    probe.install(app)
    statuses = await get_all(app, [f"/probe/{n}" for n in range(5)] + ["/probe-free", "/healthz"])
    assert statuses == [200] * 7
    assert probe.order.index(-1) == 1  # straight past the four waiting


def test_a_request_with_a_turn_always_finds_a_connection_and_a_thread() -> None:
    field = Settings.model_fields["max_active_requests"]
    most = next(rule.le for rule in field.metadata if hasattr(rule, "le"))
    assert most <= POOL_SIZE + POOL_OVERFLOW
    assert most < anyio.run(_thread_tokens)


async def _thread_tokens() -> float:
    return anyio.to_thread.current_default_thread_limiter().total_tokens


class _Connecting(Exception):
    """Raised where psycopg would connect: the test needs the parameters, not a server."""


def test_postgresql_connections_run_without_jit(db: Session) -> None:
    """JIT compiling the dashboards' aggregates costs more than running them (bench/README.md)."""
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/nowhere")
    asked: dict[str, Any] = {}

    @event.listens_for(engine, "do_connect")
    def _capture(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
        asked.update(params)
        raise _Connecting

    with pytest.raises(_Connecting):
        engine.connect()
    assert asked["options"] == "-c jit=off"
    if db.connection().dialect.name == "postgresql":  # and the server took it
        assert db.connection().exec_driver_sql("SHOW jit").scalar_one() == "off"
