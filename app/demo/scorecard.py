"""The demo's scorecard: figures organizers recorded on some action items and themes, and the
operating committee receiving the programme scorecard every quarter."""

from datetime import datetime

from sqlmodel import Session, col, select

from app.demo.distribution import COMMITTEE
from app.models import ActionItem, ActionStatus, DistributionList, ScorecardCadence, Theme

THEME_FIGURES = {
    "Onboarding": (140, 2_400_000),
    "Billing and invoicing": (85, 1_150_000),
    "Delivery windows": (60, 780_000),
    "Support responsiveness": (210, 1_900_000),
}
"""Customers affected and revenue at risk, by theme name."""


def load_scorecard(session: Session, *, now: datetime) -> None:
    """Figures on a third of the action items and four themes; the committee's scorecard."""
    for theme in session.exec(select(Theme).where(col(Theme.name).in_(list(THEME_FIGURES)))):
        theme.customers_affected, theme.revenue_at_risk = THEME_FIGURES[theme.name]
        session.add(theme)
    items = session.exec(select(ActionItem).order_by(col(ActionItem.id))).all()
    for index, item in enumerate(items):
        if index % 3:
            continue
        item.customers_affected = 4 + index * 7 % 37
        item.revenue_at_risk = (index * 37 % 19 + 2) * 10_000
        if item.status is ActionStatus.done:
            item.revenue_saved = item.revenue_at_risk * 3 // 5
        session.add(item)
    committee = session.exec(select(DistributionList).where(DistributionList.name == COMMITTEE))
    for dlist in committee:
        dlist.scorecard_cadence = ScorecardCadence.quarterly
        # From now on: the next scorecard is the one for the quarter under way, when it ends.
        dlist.last_scorecard_at = now
        session.add(dlist)
    session.flush()
