"""Load and faults on a real deployment (issue 8 item 7): PostgreSQL, Redis, two web processes.

Phase 1: `--clients` concurrent clients (half self check-ins through the public link, half
signed-in dashboard reads over the JSON API) for `--duration` seconds. Reported: requests,
errors (must be 0), p50/p99 latency (target p99 < 250 ms), and check-ins accepted against the
check-ins waiting for the organizer in the database (must match).

Phase 2: the same load (for at least 75 s + the outage) while a recap is sent to
`--recipients` people over loopback SMTP: once the first messages are out, the worker
processes are SIGKILLed and started again 4 s later; once sending has resumed (a killed
worker's job is lost, so that is the next minute's sweep), the SMTP server is down for
`--smtp-down` seconds. Then the outbox is waited for until it drains, and deliveries marked
sent are compared with messages received: every recipient must have theirs (nothing lost),
and a message may arrive twice only if it is one the killed workers had in hand (SMTP gives
no way to send and record in one step: at-least-once, with the same Message-ID).

`python -m bench load_faults [--duration 60] [--clients 50] …`; exits non-zero when a
correctness check fails. The workers run with `STORYROOM_MAIL_CLAIM_TIMEOUT_SECONDS=20`, so
the claims of a killed worker are taken back by the next minute's sweep instead of after the
default 10 minutes.
"""

import argparse
import asyncio
import itertools
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import psycopg

from bench import loadgen, scenario, stack
from bench.loadgen import LoadResult, Request

DATABASE = "storyroom_scale_bench"
PEOPLE = 2_000
CHECK_IN_SESSIONS = 10
P99_TARGET_MS = 250
RESUME_TIMEOUT = 75  # seconds: the sweep runs every minute
DRAIN_TIMEOUT = 420  # seconds: the first retry is a minute after SMTP came back, then the sweep


@dataclass
class Setup:
    database_url: str
    base_url: str
    token: str
    people: list[scenario.Person]
    check_in_tokens: list[str]
    recap_session_id: int = 0
    list_id: int = 0


@dataclass
class Phase:
    name: str
    check_ins: LoadResult
    reads: LoadResult
    failures: list[str] = field(default_factory=list)
    in_flight: set[int] = field(default_factory=set)
    """Deliveries the killed workers held (status sending): the only ones allowed twice."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench load_faults", description=__doc__)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load per phase")
    parser.add_argument("--clients", type=int, default=50, help="concurrent connections")
    parser.add_argument("--web-workers", type=int, default=2, help="web processes")
    parser.add_argument("--recipients", type=int, default=500)
    parser.add_argument("--smtp-down", type=float, default=30, help="seconds SMTP is down")
    parser.add_argument("--skip-faults", action="store_true", help="phase 1 only")
    return parser.parse_args(argv)


def prepare(database_url: str, base_url: str, recipients: int) -> Setup:
    """The directory, sessions open for check-in, a recap approved and a list to send it to."""
    people = scenario.directory(PEOPLE)
    token = stack.api_token(database_url, "operator@scale.example")
    with scenario.Operator([base_url], token) as op:
        op.import_people(people)
        starts_at = scenario.soon()
        sessions = [
            op.schedule_session(f"Check-in session {n}", starts_at, minutes=240)
            for n in range(CHECK_IN_SESSIONS)
        ]
        recap_session = op.schedule_session("Returns through a customer's eyes", starts_at)
        members = people[:recipients]
        dlist = op.create_list("Operating committee")
        op.import_members(dlist["id"], members)
        scenario.sleep_until(starts_at)
        tokens = [
            op.call("GET", f"/sessions/{s['id']}/check-in-link")["url"].rsplit("/", 1)[1]
            for s in sessions
        ]
        op.import_attendance(recap_session["id"], scenario.zoom_report(people[:600], starts_at))
        op.complete(recap_session["id"])
        op.write_and_approve_recap(recap_session["id"])
    return Setup(
        database_url=database_url,
        base_url=base_url,
        token=token,
        people=people,
        check_in_tokens=tokens,
        recap_session_id=recap_session["id"],
        list_id=dlist["id"],
    )


def check_in_requests(setup: Setup, offset: int) -> Callable[[int], Request]:
    """Request i checks person (offset + i) in to a session: each pair once until they wrap."""
    people = [quote(p.email) for p in setup.people]
    tokens = setup.check_in_tokens

    def make(i: int) -> Request:
        n = (offset + i) % (len(people) * len(tokens))
        return Request(
            "POST",
            f"/p/check-in/{tokens[n // len(people)]}",
            {"Content-Type": "application/x-www-form-urlencoded"},
            f"email={people[n % len(people)]}".encode(),
        )

    return make


def read_requests(setup: Setup) -> Callable[[int], Request]:
    """Signed-in dashboard reads: the overview, levels, and one session's attendance by level."""
    auth = {"Authorization": f"Bearer {setup.token}"}
    paths = (
        "/api/v1/dashboard/overview",
        "/api/v1/dashboard/levels",
        f"/api/v1/sessions/{setup.recap_session_id}/attendance/levels",
    )
    return lambda i: Request("GET", paths[i % len(paths)], auth)


async def load(setup: Setup, *, clients: int, duration: float, offset: int) -> Phase:
    writers = clients // 2
    check_ins, reads = await asyncio.gather(
        loadgen.hammer(
            setup.base_url,
            check_in_requests(setup, offset),
            connections=writers,
            duration=duration,
        ),
        loadgen.hammer(
            setup.base_url, read_requests(setup), connections=clients - writers, duration=duration
        ),
    )
    return Phase("", check_ins, reads)


_connections: dict[str, psycopg.Connection[Any]] = {}


def query(database_url: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows from the stack's database over one kept connection (the server's are counted)."""
    connection = _connections.get(database_url)
    if connection is None or connection.closed:
        connection = psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True)
        _connections[database_url] = connection
    return connection.execute(statement, params).fetchall()


def sql(database_url: str, statement: str, *params: Any) -> Any:
    rows = query(database_url, statement, *params)
    return rows[0][0] if rows else None


def check_in_rows(setup: Setup) -> int:
    return int(
        sql(
            setup.database_url,
            "SELECT count(*) FROM pending_check_in a JOIN story_session s ON s.id = a.session_id "
            "WHERE s.title LIKE 'Check-in session %%'",
        )
    )


def report_load(phase: Phase, setup: Setup, *, check_ins_so_far: int) -> int:
    """Print the phase's figures; return the check-ins accepted in it."""
    pool = len(setup.people) * len(setup.check_in_tokens)
    for label, result in (("check-ins", phase.check_ins), ("dashboard reads", phase.reads)):
        print(f"  {label:16} {result.summary()}")
        print(f"  {'':16} statuses {result.status_counts} {result.error_kinds or ''}")
        if result.errors:
            phase.failures.append(f"{phase.name}: {result.errors} errors in {label}")
        if result.p99_ms >= P99_TARGET_MS:
            print(f"  {'':16} p99 over the {P99_TARGET_MS} ms target")
    statuses = phase.check_ins.status_counts
    accepted = statuses.get(200, 0)
    if set(statuses) - {200}:
        phase.failures.append(f"{phase.name}: check-ins answered {statuses}")
    total = check_ins_so_far + accepted
    expected = min(total, pool)  # past the pool, people check in again: no new row
    rows = check_in_rows(setup)
    print(f"  check-ins accepted {total:,} (distinct {expected:,}), pending rows {rows:,}")
    if rows != expected:
        phase.failures.append(f"{phase.name}: {expected} distinct check-ins, {rows} rows")
    return accepted


@dataclass
class Timeline:
    """Faults one after another, in a thread, while the load runs; when each happened.

    Each step is (seconds to wait after the previous one, what, action).
    """

    note: Callable[[], str]
    """What to record beside each event (e.g. the deliveries by status)."""
    events: list[tuple[float, str, str]] = field(default_factory=list)
    error: BaseException | None = None

    def run(self, steps: list[tuple[float, str, Callable[[], object]]]) -> threading.Thread:
        began = time.monotonic()

        def play() -> None:
            try:
                for pause, what, action in steps:
                    time.sleep(pause)
                    action()
                    self.events.append((time.monotonic() - began, what, self.note()))
            except BaseException as exc:  # reported by the main thread
                self.error = exc

        thread = threading.Thread(target=play, daemon=True)
        thread.start()
        return thread


def delivery_counts(setup: Setup) -> dict[str, int]:
    rows = query(setup.database_url, "SELECT status, count(*) FROM delivery GROUP BY status")
    return {str(status): int(count) for status, count in rows}


def faults(
    setup: Setup,
    args: argparse.Namespace,
    workers: stack.Workers,
    sink: stack.SmtpSink,
    *,
    offset: int,
) -> Phase:
    """Phase 2: the load while a recap send is in flight, the workers die and SMTP goes down."""
    queued: list[int] = []
    in_flight: set[int] = set()

    def send() -> None:
        with scenario.Operator([setup.base_url], setup.token) as op:
            queued.append(op.send_recap(setup.recap_session_id, [setup.list_id])["queued"])

    def kill_mid_send() -> None:
        # The queue's consumer may sleep a few seconds before taking the job: kill once
        # messages are going out, so the kill lands in the middle of a batch.
        scenario.wait_for(
            lambda: delivery_counts(setup).get("sent", 0) >= 10,
            timeout=30,
            what="the first recap messages sent",
        )
        workers.kill()
        rows = query(setup.database_url, "SELECT id FROM delivery WHERE status = 'sending'")
        in_flight.update(int(row[0]) for row in rows)

    def smtp_down_mid_send() -> None:
        # A killed worker's job is lost: sending resumes with the minute's sweep. Take SMTP
        # down once it has, so the outage hits messages in flight.
        sent = delivery_counts(setup).get("sent", 0)
        scenario.wait_for(
            lambda: delivery_counts(setup).get("sent", 0) > sent,
            timeout=RESUME_TIMEOUT,
            what="sending to resume after the restart",
        )
        sink.stop()

    steps: list[tuple[float, str, Callable[[], object]]] = [
        (1.0, "recap send requested", send),
        (0.0, "workers SIGKILLed mid-send", kill_mid_send),
        (4.0, "workers started again", workers.start),
        (0.0, "SMTP down mid-send", smtp_down_mid_send),
        (args.smtp_down, "SMTP up", sink.start),
    ]
    timeline = Timeline(note=lambda: f"deliveries {delivery_counts(setup)}")
    thread = timeline.run(steps)
    # Long enough for every fault to happen under load: the kill waits for the first messages,
    # the outage for sending to resume after the restart (the next minute's sweep).
    duration = max(args.duration, 75 + args.smtp_down)
    phase = loadgen.run(load(setup, clients=args.clients, duration=duration, offset=offset))
    thread.join()
    print(f"  load ran {phase.check_ins.seconds:.0f} s")
    for at, what, note in timeline.events:
        print(f"  t={at:5.1f} s  {what:28} {note}")
    if timeline.error is not None:
        raise timeline.error
    phase.name = "phase 2"
    phase.failures = [] if queued == [args.recipients] else [f"send queued {queued}"]
    phase.in_flight = in_flight
    return phase


def repeated_delivery(setup: Setup, message_id: str) -> str:
    """A delivery's attempts and last error, from its Message-ID (<delivery.ID.hash@…>)."""
    delivery_id = int(message_id.split(".")[1])
    row = query(
        setup.database_url, "SELECT attempts, last_error FROM delivery WHERE id = %s", delivery_id
    )
    return f"delivery {delivery_id}, attempts and last error {row}"


def check_mail(
    setup: Setup, sink: stack.SmtpSink, recipients: int, in_flight: set[int]
) -> list[str]:
    """Wait for the outbox to drain; compare deliveries sent with messages received."""
    started = time.monotonic()
    with scenario.Operator([setup.base_url], setup.token) as op:
        counts = op.wait_drained(timeout=DRAIN_TIMEOUT, expect_sent=recipients)
    print(f"  outbox drained {time.monotonic() - started:.0f} s after the load: {counts}")
    received = sink.received()
    per_recipient = Counter(address for message in received for address in message["to"])
    message_ids = Counter(message["message_id"] for message in received)
    repeats = sum(n - 1 for n in message_ids.values() if n > 1)
    retried = int(sql(setup.database_url, "SELECT count(*) FROM delivery WHERE attempts > 1"))
    print(
        f"  deliveries sent {counts['sent']:,}, failed {counts['failed']}, retried {retried}; "
        f"messages received {len(received):,} by {len(per_recipient):,} recipients, "
        f"{repeats} repeated (same Message-ID); {len(in_flight)} were in the killed workers' hands"
    )
    unexplained = []
    for message_id, n in message_ids.items():
        if n > 1:
            print(f"  received {n}× {message_id}: {repeated_delivery(setup, message_id)}")
            if int(message_id.split(".")[1]) not in in_flight or n > 2:
                unexplained.append(message_id)
    failures = []
    if counts["sent"] != recipients or counts["failed"]:
        failures.append(f"{counts['sent']} sent and {counts['failed']} failed of {recipients}")
    if len(per_recipient) != counts["sent"] or len(message_ids) != counts["sent"]:
        failures.append(
            f"{counts['sent']} deliveries sent, {len(message_ids)} distinct messages received "
            f"by {len(per_recipient)} recipients"
        )
    if unexplained:
        failures.append(f"received twice outside the kill window: {', '.join(unexplained)}")
    return failures


def main(argv: list[str] | None = None) -> None:
    if argv is None:  # `python -m bench load_faults --duration 10`: bench names come first
        argv = list(itertools.dropwhile(lambda arg: not arg.startswith("-"), sys.argv[1:]))
    args = parse_args(argv)
    print(
        f"{args.clients} clients ({args.clients // 2} checking in, the rest reading dashboards), "
        f"{args.duration:.0f} s per phase, {args.web_workers} web processes, PostgreSQL, "
        "Redis queue, 2 worker processes"
    )
    failures: list[str] = []
    smtp_port, web_port = stack.free_ports(2)
    worker_env = {"STORYROOM_MAIL_CLAIM_TIMEOUT_SECONDS": "20"}
    # Every check-in comes from this one address, far faster than people scan a code.
    unthrottled = "1000000/minute"
    web_env = {
        "STORYROOM_CHECK_IN_RATE_PER_LINK": unthrottled,
        "STORYROOM_CHECK_IN_RATE_PER_ADDRESS": unthrottled,
    }
    with (
        stack.database(DATABASE) as url,
        stack.smtp(smtp_port) as sink,
        stack.web(url, port=web_port, workers=args.web_workers, env=web_env) as base_url,
        stack.worker(url, smtp_url=sink.url, base_url=base_url, env=worker_env) as workers,
    ):
        began = time.monotonic()
        setup = prepare(url, base_url, args.recipients)
        print(
            f"setup: {PEOPLE:,} people, {CHECK_IN_SESSIONS} sessions open for check-in, "
            f"a list of {args.recipients} ({time.monotonic() - began:.0f} s)"
        )
        print("phase 1: load")
        phase = loadgen.run(load(setup, clients=args.clients, duration=args.duration, offset=0))
        phase.name = "phase 1"
        accepted = report_load(phase, setup, check_ins_so_far=0)
        failures += phase.failures
        if not args.skip_faults:
            print(
                f"phase 2: load + recap to {args.recipients}, workers SIGKILLed and restarted, "
                f"SMTP down {args.smtp_down:.0f} s"
            )
            phase = faults(setup, args, workers, sink, offset=accepted)
            report_load(phase, setup, check_ins_so_far=accepted)
            failures += phase.failures
            failures += check_mail(setup, sink, args.recipients, phase.in_flight)
        for connection in _connections.values():
            connection.close()
    if failures:
        print("FAILED: " + "; ".join(failures))
        raise SystemExit(1)
    print("all correctness checks passed")


if __name__ == "__main__":
    main()
