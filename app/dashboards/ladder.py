"""The ladder over time: each leader's stage quarter by quarter, the move, and the evidence.

A quarter's stage is the stage the leaders page shows with that calendar quarter (whole days
in UTC, as every dashboard period) as its period: the rules of app.dashboards.engagement over
the signals *within* the quarter, not up to its end. Cumulative signals never fall, so a
leader who stopped coming would keep their best quarter forever; within the quarter, the
ladder shows who is engaged now, and the move says where they were the quarter before. All
quarters for all leaders come from one aggregate statement (app.dashboards.queries.
leader_signals with quarter bounds).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlmodel import Session

from app.dashboards import queries
from app.dashboards.engagement import (
    DEFAULT_RULES,
    STAGE_LABELS,
    EngagementRules,
    Move,
    Signals,
    compute_stage,
    move,
)
from app.dashboards.queries import Scope
from app.dashboards.schemas import EvidenceLine, QuarterEvidence, QuarterStage
from app.kit.quarters import Quarter, bounds, quarters_ending
from app.kit.words import counted
from app.models import EngagementStage, utcnow
from app.transcripts.participation import participation_text

EVERY_PERIOD = queries.EVERY_PERIOD
QUARTERS_SHOWN = 4
"""Quarters on the leaders page and the person page: a year, the latest last."""


def signals_of(counts: dict[str, int]) -> Signals:
    """The ladder's signals from `queries.leader_signals`' counts of one leader and period."""
    return Signals(
        sessions_attended=counts.get("sessions_attended", 0),
        sessions_taken_part=counts.get("sessions_taken_part", 0),
        team_attended=counts.get("team_attended", 0),
        team_size=counts.get("team_size", 0),
        commitments_made=counts.get("commitments_made", 0),
        commitments_done=counts.get("commitments_done", 0),
        action_items_done=counts.get("action_items_done", 0),
        recaps_received=counts.get("recaps_received", 0),
        recaps_read=counts.get("recaps_read", 0),
        invitations_received=counts.get("invitations_received", 0),
    )


def signal_counts(
    rows: Iterable[Sequence[object]],
) -> dict[int, dict[int, dict[str, int]]]:
    """leader_signals' rows as {person id: {period: {signal: count}}}; recaps and digests add up.

    Period -1 holds what is the same in every period (the team's size): read a period's
    counts with `in_period`.
    """
    counts: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for person_id, name, period, count in rows:
        assert isinstance(person_id, int)
        assert isinstance(name, str)
        mine = counts[person_id][int(str(period))]
        mine[name] = mine.get(name, 0) + int(str(count))
    return counts


def in_period(periods: dict[int, dict[str, int]], index: int = 0) -> dict[str, int]:
    """One period's counts of one leader, with those of every period (-1)."""
    return {**periods.get(EVERY_PERIOD, {}), **periods.get(index, {})}


def latest_quarter(end: date | None = None) -> Quarter:
    """The quarter a period ending on `end` (today, in UTC, without one) finishes in."""
    return Quarter.of(end or utcnow().date())


def shown_quarters(end: date | None = None, count: int = QUARTERS_SHOWN) -> list[Quarter]:
    return quarters_ending(latest_quarter(end), count)


def move_label(stage: EngagementStage, before: EngagementStage | None) -> str:
    """ "↑ from Buy-in", "↓ from Action", "= still Commitment", or "" with nothing before."""
    step = move(stage, before)
    if before is None or step is None:
        return ""
    arrow = {"up": "↑ from", "down": "↓ from", "same": "= still"}[step]
    return f"{arrow} {STAGE_LABELS[before]}"


def quarter_stages(
    session: Session,
    scope: Scope,
    quarters: list[Quarter],
    *,
    level_ids: Sequence[int] | None = None,
    person_ids: Sequence[int] | None = None,
    rules: EngagementRules = DEFAULT_RULES,
) -> dict[int, list[QuarterStage]]:
    """Every leader's computed stage per quarter (oldest first), from one statement.

    The scope's department, level and series apply; its dates are replaced by the quarters.
    A leader with no signal in any quarter is absent: each of their quarters is ignorance.
    """
    spanning = replace(scope, start=quarters[0].start, end=quarters[-1].end)
    rows = queries.leader_signals(
        session, spanning, level_ids=level_ids, person_ids=person_ids, bounds=bounds(quarters)
    )
    return {
        person_id: stages_of(periods, quarters, rules)
        for person_id, periods in signal_counts(rows).items()
    }


def stages_of(
    periods: dict[int, dict[str, int]], quarters: list[Quarter], rules: EngagementRules
) -> list[QuarterStage]:
    """The stage in each quarter from one leader's counts per quarter index."""
    return [
        quarter_stage(quarter, compute_stage(signals_of(in_period(periods, index)), rules))
        for index, quarter in enumerate(quarters)
    ]


def quarter_stage(quarter: Quarter, stage: EngagementStage) -> QuarterStage:
    return QuarterStage(
        quarter=quarter.label,
        start=quarter.start,
        end=quarter.end,
        stage=stage,
        label=STAGE_LABELS[stage],
    )


def no_signal(quarters: list[Quarter]) -> list[QuarterStage]:
    return [quarter_stage(quarter, EngagementStage.ignorance) for quarter in quarters]


def last_move(stages: list[QuarterStage]) -> tuple[Move | None, str]:
    """The move into the latest quarter from the one before, and its label."""
    if len(stages) < 2:
        return None, ""
    before, latest = stages[-2].stage, stages[-1].stage
    return move(latest, before), move_label(latest, before)


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b}"


def _dates(moments: list[datetime]) -> str:
    shown = ", ".join(_day(moment) for moment in sorted(moments)[:6])
    return shown + (", …" if len(moments) > 6 else "")


def _took_part_lines(by_kind: dict[str, list[tuple[datetime, str, str]]]) -> list[EvidenceLine]:
    """ "asked 2 questions in chat at ‘March voices’ (12 Mar)", one line per session."""
    said: dict[tuple[datetime, str], dict[str, float]] = defaultdict(dict)
    for kind in ("spoke", "wrote", "asked"):
        for when, title, detail in by_kind[kind]:
            said[(when, title)][kind] = float(detail or 0)
    return [
        EvidenceLine(
            kind="took_part",
            text=participation_text(
                seconds_spoken=counts.get("spoke", 0),
                cues=1 if "spoke" in counts else 0,
                chat_messages=int(counts.get("wrote", 0)),
                questions=int(counts.get("asked", 0)),
            )
            + f" at ‘{title}’ ({_day(when)})",
        )
        for (when, title), counts in sorted(said.items())
    ]


def evidence_lines(rows: list[Sequence[object]], *, team_size: int = 0) -> list[EvidenceLine]:
    """ladder_evidence's rows of one quarter in words, highest rung first."""
    by_kind: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    for kind, when, title, detail in rows:
        assert isinstance(kind, str)
        assert isinstance(when, datetime)
        by_kind[kind].append((when, str(title), str(detail)))
    lines: list[EvidenceLine] = []
    for _when, title, text in sorted(by_kind["commitment_done"]):
        lines.append(
            EvidenceLine(kind="commitment_done", text=f"completed ‘{text}’ (after ‘{title}’)")
        )
    for _when, _title, text in sorted(by_kind["action_done"]):
        lines.append(EvidenceLine(kind="action_done", text=f"closed action item ‘{text}’"))
    done = {text for _, _, text in by_kind["commitment_done"]}
    for _when, title, text in sorted(by_kind["committed"]):
        if text not in done:
            lines.append(
                EvidenceLine(kind="committed", text=f"committed: ‘{text}’ after ‘{title}’")
            )
    attended = sorted({when for when, _, _ in by_kind["attended"]})
    if attended:
        lines.append(
            EvidenceLine(
                kind="attended",
                text=f"attended {counted(len(attended), 'session')} ({_dates(attended)})",
            )
        )
    lines += _took_part_lines(by_kind)
    team = by_kind["team"]
    if team:
        people = sorted({name for _, _, name in team})
        names = ", ".join(people[:3]) + (f" and {len(people) - 3} more" if len(people) > 3 else "")
        lines.append(
            EvidenceLine(
                kind="team",
                text=f"{len(people)} of {counted(team_size, 'direct report')} attended ({names})",
            )
        )
    reads = by_kind["read"]
    if reads:
        digests = sum(1 for _, title, _ in reads if title == "digest")
        recaps = len(reads) - digests
        parts = [counted(recaps, "recap")] if recaps else []
        parts += [counted(digests, "digest")] if digests else []
        lines.append(EvidenceLine(kind="read", text="read " + " and ".join(parts)))
    return lines


def quarter_evidence(
    stages: list[QuarterStage],
    rows: Sequence[Sequence[object]],
    quarters: list[Quarter],
    *,
    team_size: int = 0,
) -> list[QuarterEvidence]:
    """Each quarter's stage with its move from the quarter before and its evidence lines."""
    per_quarter: dict[int, list[Sequence[object]]] = defaultdict(list)
    starts = [quarter.start for quarter in quarters]
    for row in rows:
        when = row[1]
        assert isinstance(when, datetime)
        day = (when.astimezone(UTC) if when.tzinfo else when).date()
        for index in range(len(starts) - 1, -1, -1):
            if day >= starts[index]:
                per_quarter[index].append(row)
                break
    timeline = []
    for index, stage in enumerate(stages):
        before = stages[index - 1].stage if index else None
        timeline.append(
            QuarterEvidence(
                **stage.model_dump(),
                move=move(stage.stage, before),
                move_label=move_label(stage.stage, before),
                evidence=evidence_lines(per_quarter[index], team_size=team_size),
            )
        )
    return timeline
