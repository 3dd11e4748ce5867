"""The whole flow on a real deployment: PostgreSQL, Redis, two web and two worker processes.

An operator imports the directory, schedules a session, imports its Zoom report, writes and
approves the recap and sends it to a list of 500 over a loopback SMTP server; then the weekly
digest is made by the worker's digest job. Every recipient must hold exactly one recap and one
digest, and every dashboard figure must match what the generated files say.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bench import scenario, stack

RECIPIENTS = 500
DRAIN_TIMEOUT = 150  # seconds; 500 messages take ~20 s with two workers on this machine


@dataclass
class Deployment:
    database_url: str
    web_urls: list[str]
    sink: stack.SmtpSink
    workers: stack.Workers


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    smtp_port, web_a, web_b = stack.free_ports(3)
    with (
        stack.database("storyroom_scale_test") as url,
        stack.smtp(smtp_port) as sink,
        stack.web(url, port=web_a, workers=1) as first,
        stack.web(url, port=web_b, workers=1) as second,
        stack.worker(url, processes=2, smtp_url=sink.url, base_url=first) as workers,
    ):
        yield Deployment(url, [first, second], sink, workers)


def test_scale_out_flow_delivers_each_message_once_and_counts_match(
    deployment: Deployment,
) -> None:
    people = scenario.directory(600)
    recipients = people[:RECIPIENTS]
    token = stack.api_token(deployment.database_url, "operator@scale.example")
    with scenario.Operator(deployment.web_urls, token) as op:
        directory = op.import_people(people)
        assert (directory["rows"], directory["created"], directory["errors"]) == (600, 600, [])

        # Scheduled to start in a moment, so it can be held (completed) right after.
        starts_at = scenario.soon()
        story = op.schedule_session("Onboarding through a customer's eyes", starts_at)
        assert story["status"] == "scheduled"
        scenario.sleep_until(starts_at)
        zoom = scenario.zoom_report(people, starts_at)
        expected_attended = sum(zoom.attended.values())
        imported = op.import_attendance(story["id"], zoom)
        assert (imported["rows_read"], imported["attended"], imported["unmatched"]) == (
            zoom.rows,
            expected_attended,
            zoom.guests,
        )
        assert op.complete(story["id"])["status"] == "completed"

        every_recap = op.create_list("Operating committee")
        weekly = op.create_list(
            "Leadership weekly",
            cadence="weekly",
            digest_weekday=0,
            digest_time="00:00",
            timezone="UTC",
        )
        for dlist in (every_recap, weekly):
            members = op.import_members(dlist["id"], recipients)
            assert (members["added"], members["people"]) == (RECIPIENTS, RECIPIENTS)

        version = op.write_and_approve_recap(story["id"])
        assert version["number"] == 1
        sent = op.send_recap(story["id"], [every_recap["id"]])
        assert sent["queued"] == RECIPIENTS
        drained = op.wait_drained(timeout=DRAIN_TIMEOUT, expect_sent=RECIPIENTS)
        assert drained == {"queued": 0, "sending": 0, "sent": RECIPIENTS, "failed": 0}

        # No operator-facing trigger exists: schedule the digest a moment from now (after the
        # approval) and queue the hourly digest job for the workers, as the clock would.
        moment = scenario.soon()
        op.call(
            "PATCH",
            f"/lists/{weekly['id']}",
            json={"digest_weekday": moment.weekday(), "digest_time": f"{moment:%H:%M:%S}"},
        )
        scenario.sleep_until(moment)
        stack.enqueue(deployment.database_url, "app.distribution.tasks:send_due_digests_job")
        drained = op.wait_drained(timeout=DRAIN_TIMEOUT, expect_sent=2 * RECIPIENTS)
        assert drained == {"queued": 0, "sending": 0, "sent": 2 * RECIPIENTS, "failed": 0}
        assert op.call("GET", f"/lists/{weekly['id']}")["last_digest_at"] is not None

        overview = op.call("GET", "/dashboard/overview")
        levels = op.call("GET", "/dashboard/levels")
        per_level = op.call("GET", f"/sessions/{story['id']}/attendance/levels")
        deliveries = op.call("GET", f"/sessions/{story['id']}/recap/deliveries")

    received = deployment.sink.received()
    kinds = Counter(
        (address, "digest" if message["subject"].startswith("Weekly digest") else "recap")
        for message in received
        for address in message["to"]
    )
    expected_mail = {(p.email, kind): 1 for p in recipients for kind in ("recap", "digest")}
    assert dict(kinds) == expected_mail
    assert len({message["message_id"] for message in received}) == len(received) == 1000
    assert {m["subject"].partition(" — ")[0] for m in received if "digest" in m["subject"]} == {
        "Weekly digest: 1 customer-story session"
    }

    executives = sum(n for key, n in scenario.LEVEL_MIX.items() if key in scenario.EXECUTIVE_LEVELS)
    executives_attended = sum(zoom.people.get(key, 0) for key in scenario.EXECUTIVE_LEVELS)
    unique_people = sum(zoom.people.values())
    assert (
        overview["sessions_held"],
        overview["attendees"],
        overview["unique_people"],
        overview["executives"],
        overview["executives_attended"],
        overview["recaps_sent"],
    ) == (1, expected_attended, unique_people, executives, executives_attended, RECIPIENTS)
    [figures] = overview["sessions"]
    assert {k: v for k, v in figures["by_level"].items() if v} == zoom.attended
    assert {
        row["level"]["key"]: (row["attendances"], row["unique_people"], row["headcount"])
        for row in levels["rows"]
        if row["level"]["key"] in scenario.LEVEL_MIX
    } == {
        key: (zoom.people.get(key, 0), zoom.people.get(key, 0), count)
        for key, count in scenario.LEVEL_MIX.items()
    }
    assert {c["level"]["key"]: c["attended"] for c in per_level if c["attended"]} == zoom.attended
    assert deliveries["counts"]["sent"] == RECIPIENTS
    assert deployment.workers.alive == [True, True]
