"""Health and readiness, for load balancers and orchestrators."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.db import get_engine, schema_lag
from app.worker import huey

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (`async`: it must answer at once, even when every thread is busy)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "A dependency is unreachable."}})
def readyz() -> JSONResponse:
    """The database and the queue are reachable, and the schema is recent enough for this code."""
    checks: dict[str, Any] = {}
    try:
        # A raw DBAPI connection: no transaction, so a busy SQLite writer cannot stall the probe.
        connection = get_engine().raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT version_num FROM alembic_version")
            revisions = {row[0] for row in cursor.fetchall()}
        finally:
            connection.close()
        checks["database"] = "ok"
        checks["migrations"] = schema_lag(revisions) or "ok"
    except Exception as exc:  # any failure means "not ready", reported by type only
        checks["database"] = f"unreachable ({type(exc).__name__})"
    try:
        huey.pending_count()
        checks["queue"] = "ok"
    except Exception as exc:
        checks["queue"] = f"unreachable ({type(exc).__name__})"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503
    )
