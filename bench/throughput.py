"""Web throughput on kept-alive connections (issue 9).

A fresh PostgreSQL database with a directory of 20,000 people, and a viewer's API token.
Under 50 concurrent keep-alive connections (`bench/loadgen.py`), each measure runs for
`--duration` seconds (default 15) after a short warm-up:

(a) `GET /api/v1/people?limit=50&offset=…` (bearer token) through `storyroom serve
    --workers 2`, the production setup: the first 10 pages (browsing), all 400 by offset, and
    all 400 by cursor (`&after=` the previous page's last id, as a sync job reads them);
(b) the baseline: `bench/bare_app.py`, a bare FastAPI app answering the same URL with the
    same response model and the same 50 rows and total, read with hand-written SQL (no
    auth, no middleware, no ORM), served by `storyroom serve`'s own supervisor
    (`app.system.serve`: the same loop, parser, processes and sockets) — target (a) ≥ 50 %
    of (b), and (a)'s p99 < 250 ms; (b′) the same app slicing the rows from memory, the
    framework's floor, for scale;
(c) the same endpoint under stock `uvicorn --workers 2` with the asyncio loop and h11
    against `storyroom serve --workers 2` (uvloop and httptools): on one connection, the
    latency a kept-alive response pays; on 50, the throughput.

`python -m bench throughput [--duration S]`, or `python -m bench.throughput --duration S`.
The queue (only pinged by /readyz) is on Redis db 5, or `STORYROOM_BENCH_REDIS_URL`.
"""

import argparse
import contextlib
import json
import os
import random
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.loadgen import LoadResult, Request, hammer, run

DATABASE = "storyroom_tput"
PEOPLE = 20_000
PAGE = 50
CONNECTIONS = 50
DURATION = 15.0
WARMUP = 3.0
SERVE_PORT, BARE_PORT, STOCK_PORT = 8201, 8202, 8203
FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"]


def seed(url: str) -> None:
    """20,000 people (a level each, most with a manager) in one transaction."""
    from sqlalchemy import text
    from sqlmodel import Session

    from app.db import insert_many, make_engine
    from app.models import Person
    from bench.dashboard import DEPARTMENTS, LADDER

    rng = random.Random(2026)
    engine = make_engine(url)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with Session(engine) as session:
        levels = dict(session.execute(text("SELECT key, id FROM level")).all())
        keys = [key for key, count in LADDER for _ in range(count)]
        keys += ["ic"] * (PEOPLE - len(keys))
        insert_many(
            session,
            Person.__table__,  # type: ignore[attr-defined]
            (
                {
                    "email": f"p{i}@bench.example",
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                    "title": key,
                    "department": DEPARTMENTS[i % len(DEPARTMENTS)],
                    "employee_id": f"E{i:06d}",
                    "level_id": levels[key],
                    "active": i % 50 != 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, key in enumerate(keys)
            ),
        )
        # Ten reports per manager, the most senior first: every page looks up its managers.
        session.execute(
            text(
                "UPDATE person SET manager_id = m.first + (person.id - m.first - 10) / 10 "
                "FROM (SELECT min(id) AS first FROM person) m WHERE person.id >= m.first + 10"
            )
        )
        session.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


BROWSE_PAGES = 10


def people_requests(
    token: str = "", *, pages: int = PEOPLE // PAGE, cursors: list[int] | None = None
) -> Callable[[int], Request]:
    """The i-th request of a walk through the first `pages` pages, 50 people at a time.

    The whole directory (the default) is what a sync job reads; the first ten pages are what a
    person browsing does. Deep pages cost the database in proportion to their offset, unless
    the walk goes by `cursors` (`?after=` the last id of the previous page, an index seek).
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def make(i: int) -> Request:
        page = i % pages
        if cursors is not None and page:
            return Request("GET", f"/api/v1/people?limit={PAGE}&after={cursors[page]}", headers)
        return Request("GET", f"/api/v1/people?limit={PAGE}&offset={page * PAGE}", headers)

    return make


def page_cursors(url: str) -> list[int]:
    """For each page, the id of the last person of the page before it (0 for the first)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        ids = connection.execute(text("SELECT id FROM person ORDER BY name, id")).scalars().all()
    engine.dispose()
    return [0] + [ids[page * PAGE - 1] for page in range(1, len(ids) // PAGE)]


def get_json(base_url: str, request: Request) -> Any:
    """One request with urllib, to check what a server answers before hammering it."""
    call = urllib.request.Request(base_url + request.path, headers=request.headers)  # noqa: S310
    with urllib.request.urlopen(call, timeout=30) as response:  # noqa: S310 - http://127.0.0.1
        return json.load(response)


def server_cpu_seconds(port: int) -> float:
    """User + system CPU time of the server on `port`: its process group's live processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                cmdline = Path(entry.path, "cmdline").read_bytes().split(b"\0")
                stat = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
                stats.append((cmdline, stat))
    groups = {int(stat[2]) for cmdline, stat in stats if str(port).encode() in cmdline}
    return sum(
        (int(stat[11]) + int(stat[12])) / ticks for _, stat in stats if int(stat[2]) in groups
    )


def server_errors(port: int, lines: int = 5) -> str:
    """The server's last few error lines (its log goes when the database is dropped)."""
    from bench.stack import PG_URL, var_dir

    found: list[str] = []
    for log in var_dir(PG_URL.format(name=DATABASE)).glob(f"*-{port}.log"):
        text = log.read_text(errors="replace").splitlines()
        found += [line[:300] for line in text if '"level": "info"' not in line]
    return "\n".join(found[-lines:])


def measure(
    base_url: str,
    make: Callable[[int], Request],
    *,
    duration: float,
    connections: int = CONNECTIONS,
) -> LoadResult:
    """Warm the server up, then hammer it; prints and returns the figures."""
    run(hammer(base_url, make, connections=connections, duration=min(WARMUP, duration)))
    port = int(base_url.rsplit(":", 1)[1])
    cpu, server = time.process_time(), server_cpu_seconds(port)
    result = run(hammer(base_url, make, connections=connections, duration=duration))
    client_cpu = (time.process_time() - cpu) / result.seconds
    server_ms = (server_cpu_seconds(port) - server) / max(result.count, 1) * 1000
    other = {k: v for k, v in result.status_counts.items() if k != 200}
    odd = f"  statuses {other} {result.error_kinds}" if other or result.error_kinds else ""
    print(
        f"    {result.summary()}\n    server CPU {server_ms:.2f} ms per response, "
        f"client CPU {client_cpu:.0%}{odd}",
        flush=True,
    )
    if result.errors:
        print(server_errors(port), flush=True)
    return result


@contextlib.contextmanager
def uvicorn(url: str, port: int, *args: str) -> Iterator[str]:
    """Plain `uvicorn --workers 2 ARGS` on the stack's environment; yields the base URL."""
    from bench.stack import Process, answering, stack_env, var_dir

    base_url = f"http://127.0.0.1:{port}"
    process = Process(
        args=[
            *(sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", "2", "--no-access-log", *args),
        ],
        env=stack_env(url, {"STORYROOM_BASE_URL": base_url, **queue_env()}),
        log_path=var_dir(url) / f"uvicorn-{port}.log",
    )
    with answering(process, base_url) as ready:
        yield ready


@contextlib.contextmanager
def served(url: str, port: int, factory: str) -> Iterator[str]:
    """The app `factory` through `storyroom serve`'s own supervisor (2 processes, each with its
    own socket, the app frozen for the collector): the baselines get the same server setup."""
    from bench.stack import Process, answering, stack_env, var_dir

    base_url = f"http://127.0.0.1:{port}"
    code = (
        "import sys; from app.system.serve import serve; serve(host='127.0.0.1', "
        "port=int(sys.argv[1]), workers=2, log_config=None, app=sys.argv[2])"
    )
    process = Process(
        args=[sys.executable, "-c", code, str(port), factory],  # the port on its own: see CPU
        env=stack_env(url, {"STORYROOM_BASE_URL": base_url, **queue_env()}),
        log_path=var_dir(url) / f"served-{port}.log",
    )
    with answering(process, base_url) as ready:
        yield ready


def queue_env() -> dict[str, str]:
    return {
        "STORYROOM_QUEUE_URL": os.environ.get(
            "STORYROOM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"
        )
    }


BARE, MEMORY = "bench.bare_app:create_app", "bench.bare_app:create_memory_app"
STOCK = ("--factory", "app.main:create_app", "--loop", "asyncio", "--http", "h11")


def compare(
    base_url: str, people: Callable[[int], Request], health: Request, duration: float
) -> None:
    """Kept-alive latency on one connection (a cheap route, then the page), then 50."""
    short = min(5.0, duration)
    print("  1 connection, GET /healthz:")
    measure(base_url, lambda _i: health, duration=short, connections=1)
    print("  1 connection, GET /api/v1/people:")
    measure(base_url, people, duration=short, connections=1)
    print(f"  {CONNECTIONS} connections, GET /api/v1/people:")
    measure(base_url, people, duration=duration)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench throughput")
    parser.add_argument("--duration", type=float, default=DURATION, help="seconds per measure")
    args, _names = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    duration: float = args.duration

    from bench.stack import api_token, database, web

    began = time.perf_counter()
    with database(DATABASE) as url:
        seed(url)
        token = api_token(url, "bench-viewer@example.com", role="viewer")
        print(f"seeded {PEOPLE:,} people in {time.perf_counter() - began:.1f} s", flush=True)
        people, health = people_requests(token), Request("GET", "/healthz")
        with (
            web(url, port=SERVE_PORT, workers=2, env=queue_env()) as serve,
            served(url, BARE_PORT, BARE) as bare,
        ):
            ours, theirs = get_json(serve, people(1)), get_json(bare, people_requests()(1))
            assert len(ours["items"]) == len(theirs["items"]) == PAGE, (ours, theirs)
            assert ours["items"][0].keys() == theirs["items"][0].keys(), (ours, theirs)
            size = len(json.dumps(ours).encode())
            print(f"{CONNECTIONS} keep-alive connections, {duration:g} s each; ~{size:,} B a page")
            cursors, every = page_cursors(url), PEOPLE // PAGE
            for label, pages, by in (
                ("browsing the first 10 pages", BROWSE_PAGES, None),
                (f"walking all {every} pages by offset", every, None),
                (f"walking all {every} pages by cursor (?after=)", every, cursors),
            ):
                print(f"-- {label}")
                print("(a) storyroom serve --workers 2: GET /api/v1/people (bearer token)")
                a = measure(
                    serve, people_requests(token, pages=pages, cursors=by), duration=duration
                )
                print("(b) bare FastAPI, same rows and total by hand-written SQL, same setup")
                b = measure(bare, people_requests(pages=pages, cursors=by), duration=duration)
                print(
                    f"    (a)/(b) = {a.rps / b.rps:.0%} (target ≥ 50 %); "
                    f"(a) p99 {a.p99_ms:.0f} ms (target < 250 ms)"
                )
            print("(c) storyroom serve --workers 2 (uvloop, httptools) vs stock uvicorn (below)")
            compare(serve, people, health, duration)
        with served(url, BARE_PORT, MEMORY) as memory:
            print("(b′) bare FastAPI, same rows sliced from memory (no database): the floor")
            measure(memory, people_requests(), duration=duration)
        # One server at a time: two apps' connection pools at once can exhaust PostgreSQL's
        # max_connections on a shared machine (500s that measure the machine, not the server).
        with uvicorn(url, STOCK_PORT, *STOCK) as stock:
            print("(c) stock uvicorn --workers 2 (asyncio, h11), same app")
            compare(stock, people, health, duration)
        print(f"wall time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
