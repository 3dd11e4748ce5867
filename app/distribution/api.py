"""Distribution lists, sending recaps and delivery status over the JSON API."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.config import get_settings
from app.db import SessionDep, id_of
from app.deps import MAX_ID, IdPath, Page, PaginationDep
from app.distribution import lists, members, sending
from app.distribution.dependencies import ValidList
from app.distribution.importer import import_members
from app.distribution.schemas import (
    DeliveryRead,
    ListCreate,
    ListLinks,
    ListRead,
    ListUpdate,
    MemberImportReport,
    MemberIn,
    MemberRead,
    RecapDeliveries,
    RecipientRead,
    SendPreview,
    SendRequest,
    SendResult,
    SeriesLinks,
)
from app.kit.uploads import read_upload
from app.models import DeliveryKind, DeliveryStatus, DistributionList
from app.story_sessions.dependencies import ValidSeries, ValidSession

router = APIRouter(tags=["distribution"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such list or member."}}


def _read(session: Session, dlist: DistributionList) -> ListRead:
    return lists.describe_lists(session, lists=[dlist])[0]


@router.get("/lists")
def list_lists(session: SessionDep, page: PaginationDep) -> Page[ListRead]:
    """Every distribution list, by name."""
    rows, total = lists.list_lists(session, limit=page.limit, offset=page.offset)
    return Page(
        items=lists.describe_lists(session, lists=rows),
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/lists", status_code=status.HTTP_201_CREATED)
def create_list(session: SessionDep, body: ListCreate) -> ListRead:
    """Create a list: every recap, or a weekly / monthly digest at a local time."""
    return _read(session, lists.create_list(session, data=body))


@router.get("/lists/{list_id}", responses=NOT_FOUND)
def read_list(session: SessionDep, dlist: ValidList) -> ListRead:
    """One list."""
    return _read(session, dlist)


@router.patch("/lists/{list_id}", responses=NOT_FOUND)
def update_list(session: SessionDep, dlist: ValidList, body: ListUpdate) -> ListRead:
    """Change a list; only the fields sent change."""
    return _read(session, lists.update_list(session, dlist=dlist, data=body))


@router.delete("/lists/{list_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_list(session: SessionDep, dlist: ValidList) -> Response:
    """Delete a list and its members (deliveries already made keep their history)."""
    lists.delete_list(session, dlist=dlist)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/lists/{list_id}/members", responses=NOT_FOUND)
def list_members(session: SessionDep, dlist: ValidList, page: PaginationDep) -> Page[MemberRead]:
    """The list's members by name, including those who unsubscribed (`unsubscribed_at`)."""
    everyone = members.list_members(session, dlist=dlist)
    return Page(
        items=everyone[page.offset : page.offset + page.limit],
        total=len(everyone),
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/lists/{list_id}/members", status_code=status.HTTP_201_CREATED, responses=NOT_FOUND)
def add_member(session: SessionDep, dlist: ValidList, body: MemberIn) -> MemberRead:
    """Add a person (`person_id`, or an `email` the directory knows) or an outsider's address."""
    member = members.add_member(session, dlist=dlist, data=body)
    return next(m for m in members.list_members(session, dlist=dlist) if m.id == member.id)


@router.delete(
    "/lists/{list_id}/members/{member_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
)
def remove_member(session: SessionDep, dlist: ValidList, member_id: IdPath) -> Response:
    """Take a member off the list."""
    members.remove_member(session, dlist=dlist, member_id=member_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/lists/{list_id}/members/import",
    responses={
        **NOT_FOUND,
        413: {"description": "The file is larger than the upload limit."},
        422: {"description": "Not a usable CSV, or rows with errors: `detail` is the report."},
    },
)
async def import_list_members(
    session: SessionDep,
    dlist: ValidList,
    file: Annotated[UploadFile, File(description="CSV: email[,name], with or without a header.")],
) -> MemberImportReport:
    """Add members from a CSV file, all rows or none; directory addresses become people."""
    data = await read_upload(file, max_bytes=get_settings().upload_max_bytes)
    return await run_in_threadpool(import_members, session, dlist, data=data)


@router.put("/lists/{list_id}/series", responses=NOT_FOUND)
def set_list_series(session: SessionDep, dlist: ValidList, body: SeriesLinks) -> ListRead:
    """Choose the series that send their recaps to this list by default."""
    lists.set_list_series(session, dlist=dlist, series_ids=body.series_ids)
    return _read(session, dlist)


@router.get("/series/{series_id}/lists", tags=["series"])
def series_lists(session: SessionDep, series: ValidSeries) -> list[ListRead]:
    """The default lists of a series (pre-selected when its recaps are sent)."""
    ids = lists.series_list_ids(session, series_id=id_of(series))
    chosen = [dlist for dlist in lists.all_lists(session) if dlist.id in ids]
    return lists.describe_lists(session, lists=chosen)


@router.put("/series/{series_id}/lists", tags=["series"])
def set_series_lists(session: SessionDep, series: ValidSeries, body: ListLinks) -> list[ListRead]:
    """Choose the default lists of a series."""
    lists.set_series_lists(session, series=series, list_ids=body.list_ids)
    return series_lists(session, series)


SEND_REFUSED: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "The recap is not approved, has unapproved changes, or (with `send_at`) "
        "already has a send scheduled."
    },
    422: {"description": "A digest list, a bad address, nobody to send to, or a past `send_at`."},
}


def _preview(plan: sending.SendPlan) -> SendPreview:
    return SendPreview(
        version=plan.version.number,
        recipients=len(plan.recipients),
        on_lists=plan.on_lists,
        extra=plan.extra,
        already=plan.already,
        summary=plan.summary(),
        items=[RecipientRead.model_validate(asdict(person)) for person in plan.recipients],
    )


@router.post("/sessions/{session_id}/recap/send", tags=["recaps"], responses=SEND_REFUSED)
def send_recap(session: SessionDep, story_session: ValidSession, body: SendRequest) -> SendResult:
    """Send the latest approved recap to these lists and addresses (each address once), now or
    at `send_at`. See `…/send/preview` for who it reaches without sending."""
    plan = sending.plan_send(
        session, story_session=story_session, list_ids=body.list_ids, extra_emails=body.extra_emails
    )
    queued = 0
    if body.send_at is not None:
        sending.schedule_send(
            session,
            story_session=story_session,
            list_ids=body.list_ids,
            extra_emails=body.extra_emails,
            send_at=body.send_at,
        )
    else:
        queued = len(sending.send_planned(session, story_session=story_session, plan=plan))
    deliveries = sending.recap_deliveries(session, story_session=story_session)
    return SendResult.model_validate(
        {**deliveries.model_dump(), "queued": queued, "recipients": len(plan.recipients)}
    )


@router.post("/sessions/{session_id}/recap/send/preview", tags=["recaps"], responses=SEND_REFUSED)
def preview_send(
    session: SessionDep, story_session: ValidSession, body: SendRequest
) -> SendPreview:
    """Who sending to these lists and addresses would reach, and how many: nothing is sent."""
    plan = sending.plan_send(
        session, story_session=story_session, list_ids=body.list_ids, extra_emails=body.extra_emails
    )
    return _preview(plan)


@router.post(
    "/sessions/{session_id}/recap/send-test",
    tags=["recaps"],
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "The recap is not approved, or has unapproved changes."}},
)
def send_test(session: SessionDep, story_session: ValidSession) -> DeliveryRead:
    """Send the recap email to yourself only, its subject starting "[Test]": not counted as a
    delivery, and the recap is not marked sent."""
    delivery = sending.send_test(session, story_session=story_session)
    return DeliveryRead.model_validate(delivery.model_dump())


@router.delete(
    "/sessions/{session_id}/recap/scheduled-send",
    tags=["recaps"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "No send is scheduled."}},
)
def cancel_scheduled_send(session: SessionDep, story_session: ValidSession) -> Response:
    """Cancel the recap's scheduled send (or dismiss one that could not go out)."""
    sending.cancel_scheduled_send(session, story_session=story_session)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/sessions/{session_id}/recap/deliveries", tags=["recaps"])
def recap_deliveries(session: SessionDep, story_session: ValidSession) -> RecapDeliveries:
    """Where the recap went: per recipient queued, sending, sent or failed (with the reason)."""
    return sending.recap_deliveries(session, story_session=story_session)


@router.post("/sessions/{session_id}/recap/deliveries/resend", tags=["recaps"])
def resend_failed(session: SessionDep, story_session: ValidSession) -> RecapDeliveries:
    """Queue every failed recap delivery of this session again."""
    sending.resend(session, story_session=story_session)
    return sending.recap_deliveries(session, story_session=story_session)


@router.post(
    "/sessions/{session_id}/recap/deliveries/{delivery_id}/resend",
    tags=["recaps"],
    responses={409: {"description": "That delivery has not failed."}},
)
def resend_one(
    session: SessionDep, story_session: ValidSession, delivery_id: IdPath
) -> RecapDeliveries:
    """Queue one failed recap delivery again."""
    sending.resend(session, story_session=story_session, delivery_id=delivery_id)
    return sending.recap_deliveries(session, story_session=story_session)


@router.get("/deliveries")
def list_deliveries(
    session: SessionDep,
    page: PaginationDep,
    session_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this session's.")
    ] = None,
    kind: Annotated[DeliveryKind | None, Query()] = None,
    delivery_status: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
) -> Page[DeliveryRead]:
    """Every email Storyroom sent or will send, the newest first."""
    rows, total = sending.list_deliveries(
        session,
        session_id=session_id,
        kind=kind,
        status=delivery_status,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[DeliveryRead.model_validate(row.model_dump()) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )
