"""The FastAPI application: routers, middleware, static files and error handlers."""

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from app.attendance import api as attendance_api
from app.attendance import pages as attendance_pages
from app.audit import api as audit_api
from app.audit import pages as audit_pages
from app.auth import api as auth_api
from app.auth import pages as auth_pages
from app.auth.dependencies import authorize, signed_in
from app.commitments import api as commitments_api
from app.commitments import pages as commitments_pages
from app.config import get_settings
from app.dashboards import api as dashboards_api
from app.dashboards import pages as dashboards_pages
from app.dashboards import scorecard_api, scorecard_pages, theme_api, theme_pages
from app.db import install_session_turns
from app.distribution import api as distribution_api
from app.distribution import pages as distribution_pages
from app.errors import ERROR_RESPONSES, document_body_errors, install_error_handlers
from app.follow_ups import api as follow_ups_api
from app.follow_ups import pages as follow_ups_pages
from app.invitations import api as invitations_api
from app.invitations import pages as invitations_pages
from app.people import api as people_api
from app.people import pages as people_pages
from app.recaps import api as recaps_api
from app.recaps import pages as recaps_pages
from app.story_sessions import api as story_sessions_api
from app.story_sessions import pages as story_sessions_pages
from app.system import api as system_api
from app.system import metrics
from app.system import pages as system_pages
from app.system.headers import SecurityHeadersMiddleware
from app.system.limits import BodyLimitMiddleware
from app.system.logs import RequestIdMiddleware
from app.templating import TEMPLATE_DIR
from app.transcripts import api as transcripts_api
from app.transcripts import pages as transcripts_pages
from app.worker import load_tasks

STATIC_DIR = TEMPLATE_DIR.parent / "app" / "static"


def create_app() -> FastAPI:
    settings = get_settings()
    load_tasks()
    app = FastAPI(
        title="Storyroom",
        version="1",
        summary="Customer-story sessions, attendance by level, and recaps for executives.",
        # Served by app.system.pages, behind sign-in.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="storyroom_session",
        max_age=14 * 24 * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(metrics.RequestMetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)  # outermost: every line of the request has the id
    install_error_handlers(app)
    document_body_errors(app)
    install_session_turns(app)

    # Everything on these two routers needs a signed-in user; writes need organizer or admin.
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(authorize)], responses=ERROR_RESPONSES)
    pages = APIRouter(dependencies=[Depends(authorize)], include_in_schema=False)
    for module in (
        auth_api,
        people_api,
        story_sessions_api,
        attendance_api,
        dashboards_api,
        scorecard_api,
        theme_api,
        recaps_api,
        distribution_api,
        invitations_api,
        commitments_api,
        follow_ups_api,
        transcripts_api,
        audit_api,
    ):
        api.include_router(module.router)
    for module in (
        auth_pages,
        system_pages,
        people_pages,
        story_sessions_pages,
        attendance_pages,
        dashboards_pages,
        scorecard_pages,
        theme_pages,
        recaps_pages,
        distribution_pages,
        invitations_pages,
        commitments_pages,
        follow_ups_pages,
        transcripts_pages,
        audit_pages,
    ):
        pages.include_router(module.router)

    # Anyone signed in, viewers too, for themselves: sign out, own tokens and calendar feed.
    personal_api = APIRouter(
        prefix="/api/v1", dependencies=[Depends(signed_in)], responses=ERROR_RESPONSES
    )
    personal_pages = APIRouter(dependencies=[Depends(signed_in)], include_in_schema=False)
    for module in (auth_api, invitations_api):
        personal_api.include_router(module.personal_router)
    for module in (auth_pages, invitations_pages):
        personal_pages.include_router(module.personal_router)
    app.include_router(personal_api)
    app.include_router(personal_pages)

    # Public: sign-in, health, and links whose signature is their authorization.
    app.include_router(auth_api.public_router, prefix="/api/v1", responses=ERROR_RESPONSES)
    app.include_router(auth_pages.public_router)
    app.include_router(attendance_pages.public_router)
    app.include_router(distribution_pages.public_router)
    app.include_router(invitations_pages.public_router)
    app.include_router(commitments_pages.public_router)
    app.include_router(follow_ups_pages.public_router)
    app.include_router(system_pages.public_router)  # a bearer token or the session cookie
    app.include_router(system_api.router)
    app.include_router(metrics.router)  # its own token, not a user's
    app.include_router(api)
    app.include_router(pages)
    app.mount(
        system_pages.SWAGGER_UI_URL,
        StaticFiles(directory=system_pages.SWAGGER_UI_DIR),
        name="swagger-ui",
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
