"""The scorecard's figures, each worked out by hand on tests/dashboards/scorecard_data.py."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from app.dashboards import queries
from app.dashboards.scorecard import build_scorecard, parse_quarter, quarter_code, quarter_of
from app.errors import Invalid
from app.kit.money import format_amount
from app.kit.quarters import Quarter
from tests.dashboards.scorecard_data import at, build_company

Q3 = Quarter(2026, 3)
AFTER_Q3 = datetime(2026, 12, 4, 9, tzinfo=UTC)


def test_every_figure_of_a_finished_quarter(db: Session) -> None:
    build_company(db)
    doc = build_scorecard(db, quarter=Q3, now=AFTER_Q3)

    assert (doc.quarter, doc.period_start, doc.period_end) == (
        "2026-Q3",
        date(2026, 7, 1),
        date(2026, 9, 30),
    )
    assert doc.complete is True
    assert doc.sessions_held == 2  # S1 and S2; S3 was cancelled, S4 and S5 are elsewhere
    # ceo, ic1, the IC who left, ic2, vp1 (the guest is not in the directory).
    assert doc.people_reached == 5
    assert doc.active_people == 6
    assert doc.reach_share == pytest.approx(4 / 6)
    # Of 3 active executives (the VP who left is not one), ceo and vp1 came.
    assert (doc.executives, doc.executives_attended) == (3, 2)
    assert doc.executive_participation == pytest.approx(2 / 3)
    assert [(r.quarter, r.attended, r.executives) for r in doc.executive_trend] == [
        ("2025-Q3", 0, 3),
        ("2025-Q4", 0, 3),
        ("2026-Q1", 0, 3),
        ("2026-Q2", 2, 3),  # S5: ceo and vp1
        ("2026-Q3", 2, 3),
    ]
    # Sent recap and digest emails (not the failed one nor October's), by level today: the
    # CEO's recap r1 and digest d1.
    assert [(lv.key, lv.delivered, lv.read) for lv in doc.recaps_by_level] == [
        ("c-suite", 2, 2),
        ("vp", 2, 1),
        ("outside", 1, 1),
    ]
    assert (doc.recaps_delivered, doc.recaps_read) == (5, 4)
    items = doc.action_items
    assert (items.opened, items.closed, items.overdue) == (5, 3, 2)
    assert items.overdue_as_of == date(2026, 10, 1)
    assert items.median_days_to_close == 16.0  # of 10, 30 and 16 days
    assert (doc.commitments.made, doc.commitments.kept) == (3, 1)
    assert doc.commitments.kept_rate == pytest.approx(1 / 3)
    assert [(t.name, t.sessions) for t in doc.themes] == [("Billing", 2), ("Onboarding", 1)]
    figures = doc.action_item_figures
    assert (figures.recorded_on, figures.customers_affected) == (3, 50)
    assert (figures.revenue_at_risk, figures.revenue_saved) == (150_000, 50_000)
    themes = doc.theme_figures
    assert (themes.recorded_on, themes.customers_affected, themes.revenue_at_risk) == (
        1,
        25,
        80_000,
    )
    assert doc.currency == "USD"


def test_the_quarter_so_far_counts_overdue_items_today(db: Session) -> None:
    build_company(db)
    doc = build_scorecard(db, quarter=Quarter(2026, 4), now=at(10, 20))

    assert doc.complete is False
    assert doc.as_of == at(10, 20)
    assert doc.sessions_held == 1  # S4
    assert (doc.executives_attended, doc.people_reached) == (1, 1)  # vp2
    # Open on 20 October and due before: the items due 15 Sep and 15 Oct (not the one done
    # on 3 Oct, though due 30 Sep).
    assert (doc.action_items.opened, doc.action_items.overdue) == (0, 2)
    assert doc.action_items.closed == 1
    assert doc.action_items.overdue_as_of == date(2026, 10, 20)
    assert (doc.commitments.made, doc.commitments.kept) == (1, 1)
    assert [(t.name, t.sessions, t.revenue_at_risk) for t in doc.themes] == [("Support", 1, 5)]
    assert doc.recaps_by_level[0].key == "ic"


def test_an_empty_quarter_has_no_rates(db: Session) -> None:
    doc = build_scorecard(db, quarter=Quarter(2020, 1), now=AFTER_Q3)

    assert doc.sessions_held == 0
    assert doc.reach_share is None or doc.active_people > 0
    assert doc.action_items.median_days_to_close is None
    assert doc.commitments.kept_rate is None
    assert doc.themes == []
    assert doc.action_item_figures.revenue_at_risk is None


def test_the_trend_uses_the_dashboards_executive_query(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[date | None, date | None]] = []
    original = queries.executive_participation

    def spy(session: Session, scope: queries.Scope) -> tuple[int, int]:
        asked.append((scope.start, scope.end))
        return original(session, scope)

    monkeypatch.setattr(queries, "executive_participation", spy)
    build_scorecard(db, quarter=Q3, now=AFTER_Q3)
    assert asked[-1] == (date(2026, 7, 1), date(2026, 9, 30))
    assert asked[0] == (date(2025, 7, 1), date(2025, 9, 30))
    assert len(asked) == 5


def test_quarters_are_parsed_and_bad_ones_refused() -> None:
    now = datetime(2026, 12, 4, tzinfo=UTC)
    assert parse_quarter("", now=now) == Quarter(2026, 4)
    assert parse_quarter(None, now=now) == Quarter(2026, 4)
    assert parse_quarter(" 2026-q1 ", now=now) == Quarter(2026, 1)
    assert parse_quarter("2025Q4", now=now) == Quarter(2025, 4)
    for bad, says in (
        ("2026-Q5", "is not a quarter"),
        ("Q4 2026", "is not a quarter"),
        ("2026-13", "is not a quarter"),
        ("1969-Q4", "is not a quarter"),
        ("2027-Q1", "2027-Q1 has not begun"),
    ):
        with pytest.raises(Invalid) as refused:
            parse_quarter(bad, now=now)
        assert says in str(refused.value.detail)
    assert quarter_of(datetime(2026, 3, 31, 23, 59, tzinfo=UTC)) == Quarter(2026, 1)
    assert quarter_code(Quarter(2026, 1)) == "2026-Q1"


@pytest.mark.parametrize(
    ("amount", "currency", "written"),
    [
        (1_250_000, "USD", "$1,250,000"),
        (3_400, "EUR", "€3,400"),
        (12_000, "CHF", "12,000 CHF"),
        (0, "GBP", "£0"),
        (None, "USD", "—"),
    ],
)
def test_amounts_are_written_in_the_currency(
    amount: int | None, currency: str, written: str
) -> None:
    assert format_amount(amount, currency) == written


def test_the_currency_setting_is_an_iso_code(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from app.config import Settings

    monkeypatch.setenv("STORYROOM_CURRENCY", "eur")
    assert Settings().currency == "EUR"
    monkeypatch.setenv("STORYROOM_CURRENCY", "EURO")
    with pytest.raises(ValidationError, match="ISO 4217"):
        Settings()


def test_the_number_of_statements_does_not_grow_with_the_data(db: Session) -> None:
    from tests.dashboards.test_pages import count_queries

    with count_queries(db) as empty:
        build_scorecard(db, quarter=Q3, now=AFTER_Q3)
    build_company(db)
    with count_queries(db) as full:
        build_scorecard(db, quarter=Q3, now=AFTER_Q3)
    assert len(full) == len(empty)
    # Reach, five quarters of executive participation, levels, recaps, action items (and on
    # SQLite their durations), commitments, themes.
    assert len(full) <= 12
