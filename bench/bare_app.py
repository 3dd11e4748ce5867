"""The throughput benchmark's baseline: a bare FastAPI app serving the people page from memory.

Same URL, query parameters and response model (`Page[PersonRead]`, 50 rows) as
`GET /api/v1/people`, but no database, no authentication and no middleware. Served with
`uvicorn --factory bench.bare_app:create_app` and the same loop, parser and workers as
`storyroom serve`.
"""

from datetime import UTC, datetime

from fastapi import FastAPI

from app.deps import Page, PaginationDep
from app.people.schemas import LevelRef, PersonRead, PersonRef

PEOPLE = 20_000


def directory(count: int = PEOPLE) -> list[PersonRead]:
    """People shaped like the benchmark's seeded directory (a level, most with a manager)."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    level = LevelRef(id=5, key="ic", name="Individual contributor", is_executive=False)
    return [
        PersonRead(
            id=i + 1,
            email=f"person{i}@bench.example",
            name=f"Person {i:05d}",
            title="Account Executive",
            department="Sales",
            employee_id=f"E{i:06d}",
            active=True,
            level=level,
            manager=PersonRef(id=i // 10 + 1, email=f"person{i // 10}@bench.example", name="M")
            if i >= 10
            else None,
            created_at=now,
            updated_at=now,
        )
        for i in range(count)
    ]


def create_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    people = directory()

    @app.get("/readyz")
    def ready() -> dict[str, str]:
        return {"status": "ready"}

    # `async def`: nothing here blocks, so the baseline does not pay for a thread hop.
    @app.get("/api/v1/people")
    async def list_people(page: PaginationDep) -> Page[PersonRead]:
        return Page(
            items=people[page.offset : page.offset + page.limit],
            total=len(people),
            limit=page.limit,
            offset=page.offset,
        )

    return app
