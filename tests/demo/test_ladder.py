"""The demo's ladder: leaders at ignorance before the recaps, skeptics who read the digest
without coming, leaders moving up, and digests the worker will not send again."""

from collections import Counter
from datetime import UTC, datetime

from sqlmodel import Session, select

from app.dashboards import service
from app.dashboards.schemas import DashboardFilters
from app.demo import load_demo
from app.demo.distribution import DIGEST
from app.distribution.digests import make_digest
from app.models import Delivery, DeliveryKind, Digest, DistributionList, EngagementStage

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_load_demo_ladder_tells_the_story_quarter_by_quarter(db: Session) -> None:
    load_demo(db, now=NOW)
    rows = service.leaders(db, filters=DashboardFilters(end=NOW.date()), limit=500).items
    first, *_, latest = zip(*(row.quarters for row in rows), strict=True)
    before = Counter(stage.stage for stage in first)
    after = Counter(stage.stage for stage in latest)
    # A year ago most executives neither came nor sent their team; now most do.
    assert before[EngagementStage.ignorance] > len(rows) / 2
    assert after[EngagementStage.ignorance] < len(rows) / 4
    every = Counter(stage.stage for row in rows for stage in row.quarters)
    assert every[EngagementStage.skepticism] >= 1  # read the digest, never came
    assert every[EngagementStage.action] >= 1
    assert any(row.move == "up" for row in rows)


def test_load_demo_digests_are_history_not_due_again(db: Session) -> None:
    load_demo(db, now=NOW)
    dlist = db.exec(select(DistributionList).where(DistributionList.name == DIGEST)).one()
    digests = db.exec(select(Digest).where(Digest.list_id == dlist.id)).all()
    assert len(digests) >= 3
    reads = db.exec(select(Delivery.read_at).where(Delivery.kind == DeliveryKind.digest)).all()
    assert 0 < sum(read is not None for read in reads) < len(reads)
    assert make_digest(db, list_id=dlist.id or 0, now=NOW) is None
