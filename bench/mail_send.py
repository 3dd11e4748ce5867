"""Sending one recap to 1,000 recipients over loopback SMTP (issue 5).

The real sender (claim a batch in the database → compose → send → mark each delivery sent in
its own commit), on SQLite in a temporary folder, against a plain smtplib loop sending the
same message over one connection, in the same run and to the same server: an aiosmtpd sink in
its own process, so server and client do not share one interpreter. The recap PDF is a
fixed ~200 KB blob made once, as the real composer attaches the bytes rendered once.
Target: the sender reaches at least 70 % of the loop's throughput.
"""

import os
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

RECIPIENTS = 1000
ROUNDS = 3
PDF = (b"%PDF-1.7\n" + bytes(range(256)) * 800)[: 200 * 1024]


def compose_recap(session: object, delivery: object) -> EmailMessage:
    """What the recap composer returns: subject, two bodies, the PDF; no envelope headers."""
    message = EmailMessage()
    message["Subject"] = "Recap: Onboarding through a customer's eyes"
    message["Reply-To"] = "organizer@bench.example"
    message["List-Id"] = "Operating committee <operating-committee.bench.example>"
    message.set_content("What we heard, and how it is being addressed.\n" * 20)
    message.add_alternative("<p>What we heard, and how it is being addressed.</p>" * 20, "html")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="recap.pdf")
    return message


def start_sink() -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-c",
            "aiosmtpd.handlers.Sink",
            "-l",
            f"127.0.0.1:{port}",
        ]
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                smtp.noop()
            return server, port
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.1)


def baseline(port: int, recipients: list[str]) -> float:
    """smtplib alone: one message built once, sent to each recipient over one connection."""
    message = compose_recap(None, None)
    message["From"] = "Storyroom <storyroom@bench.example>"
    message["Message-ID"] = "<bench@bench.example>"
    message["Date"] = "Mon, 23 Nov 2026 08:00:00 +0000"
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for recipient in recipients:
            del message["To"]
            message["To"] = recipient
            smtp.send_message(message, "storyroom@bench.example", [recipient])
    return time.perf_counter() - started


def queue_recipients(recipients: list[str]) -> None:
    """The deliveries a recap send writes, queued (rows added directly: no job is kicked)."""
    from sqlalchemy import delete

    from app.db import open_session
    from app.models import Delivery, DeliveryKind

    with open_session() as session:
        session.execute(delete(Delivery))
        session.add_all(
            Delivery(kind=DeliveryKind.recap, dedup_key=f"bench:{email}", to_email=email)
            for email in recipients
        )
        session.commit()


def through_sender() -> tuple[float, int]:
    from app.mail import sender

    started = time.perf_counter()
    report = sender.send_until_idle(max_batches=10_000)
    return time.perf_counter() - started, report.sent


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="storyroom-bench-") as tmp:
        os.environ.setdefault("STORYROOM_VAR_DIR", tmp)
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        server, port = start_sink()
        os.environ["STORYROOM_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
        try:
            run(url, port)
        finally:
            server.terminate()
            server.wait(timeout=10)
            restore()


def restore() -> None:
    from app.config import get_settings
    from app.db import bind_sessions

    os.environ.pop("STORYROOM_SMTP_URL", None)
    get_settings.cache_clear()
    bind_sessions(None)


def run(url: str, port: int) -> None:
    from app.config import get_settings
    from app.db import bind_sessions, make_engine, migrate
    from app.mail import compose
    from app.models import DeliveryKind

    get_settings.cache_clear()
    migrate(url)
    bind_sessions(make_engine(url))
    compose.composes(DeliveryKind.recap)(compose_recap)
    recipients = [f"leader{n:04}@bench.example" for n in range(RECIPIENTS)]
    size = len(compose_recap(None, None).as_bytes())
    print(f"{RECIPIENTS} recipients, message {size / 1024:.0f} KB, batch size "
          f"{get_settings().mail_batch_size}, SQLite")  # fmt: skip

    loops: list[float] = []
    senders: list[float] = []
    for _ in range(ROUNDS):  # alternate, so a burst of load on the machine hits both
        loops.append(baseline(port, recipients))
        queue_recipients(recipients)
        elapsed, sent = through_sender()
        assert sent == RECIPIENTS, sent
        senders.append(elapsed)
    loop, send = statistics.median(loops), statistics.median(senders)
    print(
        f"plain smtplib loop  {loop:6.2f} s  {RECIPIENTS / loop:6.0f} msg/s  (median of {ROUNDS})"
    )
    print(
        f"sender (DB marked)  {send:6.2f} s  {RECIPIENTS / send:6.0f} msg/s  (median of {ROUNDS})"
    )
    print(f"throughput ratio    {loop / send:6.0%}  (target ≥ 70 %)")


if __name__ == "__main__":
    main()
