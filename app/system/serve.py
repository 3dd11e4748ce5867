"""`storyroom serve`: N web processes on one port, each with a listening socket of its own.

Why not `uvicorn --workers N`: its processes share one listening socket, and the process that
wakes first accepts every connection waiting. A burst of 50 kept-alive connections (a load
balancer's pool, an integration's workers) landed 49 on one process and 1 on the other, which
then idled while the first queued them all. Here every process binds the port with
SO_REUSEPORT, and the kernel spreads new connections across the processes' sockets.

uvloop and httptools: stock uvicorn with the asyncio loop and h11 added ~44 ms to every
kept-alive response on the reference machine (asyncio never sets TCP_NODELAY on the sockets
uvicorn's processes accept); this pair does not.
"""

import gc
import logging
import logging.config
import multiprocessing
import signal
import socket
import threading
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn

logger = logging.getLogger("storyroom.serve")

APP = "app.main:create_app"
STARTUP_FAILURE = 3
"""uvicorn's exit code for a process that could not start: restarting it would fail again."""
STOP_TIMEOUT = 30
"""Seconds a process has to finish its requests after SIGTERM before it is killed."""


def serve(
    *, host: str, port: int, workers: int, log_config: dict[str, Any] | None, app: str = APP
) -> None:
    """Serve the app (an import string of its factory) until SIGINT or SIGTERM; a process
    that dies is started again. The benchmarks serve their baselines the same way."""
    options: dict[str, Any] = {
        "app": app,
        "host": host,
        "port": port,
        "factory": True,
        "loop": "uvloop",
        "http": "httptools",
        "proxy_headers": True,
        "log_config": log_config,
        "access_log": False,  # one line per request comes from our middleware, without tokens
        "timeout_graceful_shutdown": STOP_TIMEOUT,
    }
    if workers == 1:
        _web_process(options, reuse_port=False)
        return
    if log_config:
        logging.config.dictConfig(log_config)
    _refuse_if_taken(host, port)
    spawn = multiprocessing.get_context("spawn")
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())

    def start() -> BaseProcess:
        process = spawn.Process(target=_web_process, args=(options, True), daemon=False)
        process.start()
        return process

    processes = [start() for _ in range(workers)]
    logger.info("Serving on http://%s:%d with %d web processes", host, port, workers)
    while not stopping.wait(0.5):
        for index, process in enumerate(processes):
            if process.is_alive():
                continue
            if process.exitcode == STARTUP_FAILURE:
                logger.error("A web process could not start (see above); stopping.")
                stopping.set()
                break
            logger.warning(
                "Web process %s died (exit %s); starting another.", process.pid, process.exitcode
            )
            processes[index] = start()
    for process in processes:
        process.terminate()  # SIGTERM: uvicorn stops accepting and finishes what it has
    for process in processes:
        process.join(STOP_TIMEOUT + 5)
        if process.is_alive():
            process.kill()


def _refuse_if_taken(host: str, port: int) -> None:
    """Fail loudly when something already listens on the port.

    A second `storyroom serve` would otherwise join the first one's SO_REUSEPORT group and
    silently take half of its connections. A socket bound without the option is refused by
    any group, so this probe fails exactly when the port is in use.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT, not LISTEN
        try:
            probe.bind((host, port))
        except OSError as error:
            raise SystemExit(f"Cannot serve on {host}:{port}: {error.strerror}.") from error


def _web_process(options: dict[str, Any], reuse_port: bool) -> None:
    config = uvicorn.Config(**options)
    sockets = [_listen(config)] if reuse_port else None
    config.load()  # import and build the app now, so that it is frozen below
    # Everything built so far lives as long as the process. Out of the collector's sight, a
    # full collection no longer walks it: they took 120-260 ms every few seconds under load,
    # stalling every request in flight (they were the slowest 1 % of responses).
    gc.collect()
    gc.freeze()
    server = uvicorn.Server(config)
    server.run(sockets=sockets)
    if not server.started:  # the app failed to start: the supervisor must not retry
        raise SystemExit(STARTUP_FAILURE)


def _listen(config: uvicorn.Config) -> socket.socket:
    listener = socket.socket(_family(config.host), socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        listener.bind((config.host, config.port))
    except OSError as error:
        logger.error("Cannot listen on %s:%d: %s", config.host, config.port, error.strerror)
        raise SystemExit(STARTUP_FAILURE) from error
    listener.listen(config.backlog)
    return listener


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
