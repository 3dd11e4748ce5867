"""A small HTTP/1.1 keep-alive load generator for the benchmarks (no dependency).

`hammer()` opens `connections` connections to `base_url` and, on each, sends a request, reads
the whole response and records its latency, again and again for `duration` seconds; a
connection the server closes (or that fails) is opened again. Requests are written as bytes
and responses read by Content-Length (or chunks), because the client shares the machine's
CPUs with the server it measures and must cost little. `run()` drives it on uvloop.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

# The pause after a failed connect, so a server that is down is not spun against.
RECONNECT_PAUSE = 0.05


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class LoadResult:
    count: int  # responses received (any status)
    errors: int  # connection errors and timeouts, plus 5xx responses
    rps: float  # responses per second of wall time
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    status_counts: dict[int, int]
    error_kinds: dict[str, int] = field(default_factory=dict)  # exception class name -> count
    seconds: float = 0.0  # wall time, from the first connect to the last response

    def summary(self) -> str:
        return (
            f"{self.rps:8.0f} req/s  p50 {self.p50_ms:6.1f} ms  p90 {self.p90_ms:6.1f} ms  "
            f"p99 {self.p99_ms:6.1f} ms  max {self.max_ms:6.1f} ms  "
            f"({self.count:,} responses, {self.errors} errors)"
        )


class ProtocolError(Exception):
    """The server's response was not HTTP/1.1 as we read it."""


def _encode(request: Request, host: str) -> bytes:
    lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {host}"]
    names = {name.lower() for name in request.headers}
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    if "content-length" not in names and (
        request.body or request.method in ("POST", "PUT", "PATCH")
    ):
        lines.append(f"Content-Length: {len(request.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body


async def _read_response(reader: asyncio.StreamReader, method: str) -> tuple[int, bool]:
    """Read one response; its status, and whether the connection can carry another."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, _, header_block = head.partition(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        raise ProtocolError(f"bad status line {status_line[:80]!r}")
    status = int(parts[1])
    length: int | None = None
    chunked = False
    keep_alive = parts[0] == b"HTTP/1.1"
    for line in header_block.split(b"\r\n"):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            token = value.strip().lower()
            keep_alive = token == b"keep-alive" or (keep_alive and token != b"close")
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return status, keep_alive
    if chunked:
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0], 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers, up to the empty line
                break
            await reader.readexactly(size + 2)
    elif length is not None:
        await reader.readexactly(length)
    else:  # the body runs to the end of the connection
        while await reader.read(65536):
            pass
        keep_alive = False
    return status, keep_alive


async def hammer(
    base_url: str,
    make_request: Callable[[int], Request],
    *,
    connections: int,
    duration: float,
    timeout: float = 30.0,
) -> LoadResult:
    """Send requests over `connections` kept-alive connections for `duration` seconds.

    `make_request(i)` builds the i-th request (i counts across all connections). Requests
    in flight at the deadline are finished and counted. A response slower than `timeout`
    seconds counts as an error and its connection is opened again.
    """
    url = urlsplit(base_url)
    if url.scheme != "http" or not url.hostname:
        raise ValueError(f"only http://host:port is supported, not {base_url!r}")
    host, port = url.hostname, url.port or 80
    host_header = url.netloc
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    error_kinds: Counter[str] = Counter()
    counter = 0
    began = time.perf_counter()
    deadline = began + duration

    async def connection() -> None:
        nonlocal counter
        stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while time.perf_counter() < deadline:
            if stream is None:
                try:
                    stream = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
                except (OSError, TimeoutError) as exc:
                    error_kinds[type(exc).__name__] += 1
                    await asyncio.sleep(RECONNECT_PAUSE)
                    continue
            reader, writer = stream
            request = make_request(counter)
            counter += 1
            data = _encode(request, host_header)
            sent = time.perf_counter()
            try:
                writer.write(data)
                status, keep_alive = await asyncio.wait_for(
                    _read_response(reader, request.method), timeout
                )
            except (
                OSError,
                TimeoutError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                ProtocolError,
                ValueError,
            ) as exc:
                error_kinds[type(exc).__name__] += 1
                writer.close()
                stream = None
                continue
            latencies.append(time.perf_counter() - sent)
            statuses[status] += 1
            if not keep_alive:
                writer.close()
                stream = None
        if stream is not None:
            stream[1].close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    seconds = time.perf_counter() - began
    latencies.sort()

    def percentile(fraction: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] * 1000

    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    return LoadResult(
        count=len(latencies),
        errors=sum(error_kinds.values()) + server_errors,
        rps=len(latencies) / seconds,
        p50_ms=percentile(0.50),
        p90_ms=percentile(0.90),
        p99_ms=percentile(0.99),
        max_ms=latencies[-1] * 1000 if latencies else 0.0,
        status_counts=dict(sorted(statuses.items())),
        error_kinds=dict(error_kinds),
        seconds=seconds,
    )


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine (such as `hammer(...)`) to completion, on uvloop when it is installed."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.run(main)
    return uvloop.run(main)
