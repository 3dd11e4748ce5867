"""Distribution lists: their names and cadence, and the series that send to them by default."""

from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.db import id_of
from app.distribution.schemas import WEEKDAYS, ListCreate, ListRead, ListUpdate, check_schedule
from app.errors import Conflict, Invalid, NotFound
from app.models import (
    Cadence,
    DistributionList,
    ListMember,
    ScorecardCadence,
    Series,
    SeriesList,
    utcnow,
)


def get_list(session: Session, *, list_id: int) -> DistributionList:
    """The list with this id, or 404."""
    dlist = session.get(DistributionList, list_id)
    if dlist is None:
        raise NotFound(f"There is no distribution list with id {list_id}.")
    return dlist


def all_lists(session: Session) -> list[DistributionList]:
    """Every list, by name."""
    return list(session.exec(select(DistributionList).order_by(col(DistributionList.name))))


def list_lists(session: Session, *, limit: int, offset: int) -> tuple[list[DistributionList], int]:
    """One page of lists by name, and how many there are."""
    total = session.exec(select(func.count()).select_from(DistributionList)).one()
    rows = session.exec(
        select(DistributionList)
        .order_by(col(DistributionList.name), col(DistributionList.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def schedule_text(dlist: DistributionList) -> str:
    """The cadence in words, e.g. "Weekly digest, Mondays at 08:00 (Europe/Paris)"."""
    scorecard = SCORECARD_TEXT.get(dlist.scorecard_cadence, "")
    return _recap_schedule(dlist) + (f"; {scorecard}" if scorecard else "")


SCORECARD_TEXT = {
    ScorecardCadence.monthly: "the scorecard of the quarter so far on the 1st of each month",
    ScorecardCadence.quarterly: "the scorecard of each quarter when it ends",
}


def _recap_schedule(dlist: DistributionList) -> str:
    at = f"{dlist.digest_time.strftime('%H:%M')} ({dlist.timezone})"
    if dlist.cadence is Cadence.weekly and dlist.digest_weekday is not None:
        return f"Weekly digest, {WEEKDAYS[dlist.digest_weekday]}s at {at}"
    if dlist.cadence is Cadence.monthly and dlist.digest_day is not None:
        return f"Monthly digest, on day {dlist.digest_day} at {at}"
    return "Every recap, as it is sent"


def describe_lists(session: Session, *, lists: Sequence[DistributionList]) -> list[ListRead]:
    """API views of lists, with member counts and linked series (two queries for all)."""
    ids = [dlist.id for dlist in lists]
    counts = dict(
        session.exec(
            select(ListMember.list_id, func.count())
            .where(col(ListMember.list_id).in_(ids), col(ListMember.unsubscribed_at).is_(None))
            .group_by(col(ListMember.list_id))
        ).all()
    )
    series: dict[int, list[int]] = {}
    for link in session.exec(
        select(SeriesList)
        .where(col(SeriesList.list_id).in_(ids))
        .order_by(col(SeriesList.series_id))
    ):
        series.setdefault(link.list_id, []).append(link.series_id)
    return [
        ListRead.model_validate(
            {
                **dlist.model_dump(),
                "members": counts.get(id_of(dlist), 0),
                "series_ids": series.get(id_of(dlist), []),
                "schedule": schedule_text(dlist),
            }
        )
        for dlist in lists
    ]


LIST_AUDIT_FIELDS = (
    "name",
    "description",
    "cadence",
    "digest_weekday",
    "digest_day",
    "digest_time",
    "timezone",
    "allow_unsubscribe",
    "scorecard_cadence",
)


def _ensure_name_free(session: Session, name: str, *, list_id: int | None) -> None:
    # Compared in Python: SQLite's lower() folds ASCII letters only, and lists are few.
    wanted = name.casefold()
    for other_id, other_name in session.exec(
        select(DistributionList.id, DistributionList.name)
    ).all():
        if other_id != list_id and other_name.casefold() == wanted:
            raise Conflict(f"A list named {other_name!r} already exists: choose another name.")


def create_list(session: Session, *, data: ListCreate) -> DistributionList:
    """A new list with no members yet."""
    _ensure_name_free(session, data.name, list_id=None)
    dlist = DistributionList(**data.model_dump())
    session.add(dlist)
    session.flush()
    audit.record(
        session,
        action="created",
        entity="distribution_list",
        entity_id=dlist.id,
        summary=f"Created the distribution list “{dlist.name}”",
        changes=audit.created(dlist, LIST_AUDIT_FIELDS),
    )
    return dlist


def update_list(session: Session, *, dlist: DistributionList, data: ListUpdate) -> DistributionList:
    """Change a list; a weekly or monthly cadence must come with its day."""
    changes = data.changes()
    required_fields = ("name", "cadence", "digest_time", "timezone", "allow_unsubscribe")
    for required in (*required_fields, "scorecard_cadence"):
        if required in changes and changes[required] is None:
            raise Invalid(f"{required} cannot be empty; leave it out to keep it as it is.")
    if "name" in changes:
        _ensure_name_free(session, changes["name"], list_id=dlist.id)
    cadence = changes.get("cadence", dlist.cadence)
    weekday = changes.get("digest_weekday", dlist.digest_weekday)
    day = changes.get("digest_day", dlist.digest_day)
    try:
        check_schedule(cadence, weekday, day)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    with audit.recording(
        session,
        dlist,
        LIST_AUDIT_FIELDS,
        entity="distribution_list",
        summary=lambda fields: f"Changed the distribution list “{dlist.name}”: {fields}",
    ):
        if (
            dlist.scorecard_cadence is ScorecardCadence.off
            and changes.get("scorecard_cadence", ScorecardCadence.off) is not ScorecardCadence.off
        ):
            # The first scorecard is the next one scheduled, not one already past.
            dlist.last_scorecard_at = utcnow()
        for name, value in changes.items():
            setattr(dlist, name, value)
        session.add(dlist)
        session.flush()
    return dlist


def delete_list(session: Session, *, dlist: DistributionList) -> None:
    """Delete a list and its members; deliveries already made keep their history."""
    members = session.exec(
        select(func.count()).select_from(ListMember).where(ListMember.list_id == dlist.id)
    ).one()
    audit.record(
        session,
        action="deleted",
        entity="distribution_list",
        entity_id=dlist.id,
        summary=f"Deleted the distribution list “{dlist.name}” and its {members} members",
    )
    session.delete(dlist)
    session.flush()


# -- series ----------------------------------------------------------------------------------


def list_series_ids(session: Session, *, dlist: DistributionList) -> list[int]:
    """Series that send their recaps to this list by default."""
    return list(
        session.exec(
            select(SeriesList.series_id)
            .where(SeriesList.list_id == id_of(dlist))
            .order_by(col(SeriesList.series_id))
        )
    )


def series_list_ids(session: Session, *, series_id: int) -> list[int]:
    """The default lists of a series."""
    return list(
        session.exec(
            select(SeriesList.list_id)
            .where(SeriesList.series_id == series_id)
            .order_by(col(SeriesList.list_id))
        )
    )


def _check_ids(
    session: Session, model: type[Series] | type[DistributionList], ids: set[int]
) -> None:
    known = set(session.exec(select(model.id).where(col(model.id).in_(ids)))) if ids else set()
    unknown = sorted(ids - known)
    if unknown:
        what = "series" if model is Series else "distribution list"
        raise Invalid(f"There is no {what} with id {', '.join(map(str, unknown))}.")


def set_list_series(
    session: Session, *, dlist: DistributionList, series_ids: Iterable[int]
) -> None:
    """Make exactly these series send their recaps to this list by default."""
    wanted = set(series_ids)
    _check_ids(session, Series, wanted)
    current = set(list_series_ids(session, dlist=dlist))
    for series_id in current - wanted:
        link = session.get(SeriesList, (series_id, dlist.id))
        session.delete(link)
    session.add_all(SeriesList(series_id=s, list_id=id_of(dlist)) for s in wanted - current)
    session.flush()


def set_series_lists(session: Session, *, series: Series, list_ids: Iterable[int]) -> None:
    """Make exactly these lists the default lists of a series."""
    wanted = set(list_ids)
    _check_ids(session, DistributionList, wanted)
    current = set(series_list_ids(session, series_id=id_of(series)))
    for list_id in current - wanted:
        session.delete(session.get(SeriesList, (series.id, list_id)))
    session.add_all(SeriesList(series_id=id_of(series), list_id=i) for i in wanted - current)
    session.flush()
