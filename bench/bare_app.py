"""The throughput benchmark's baselines: bare FastAPI apps serving the people page.

Same URL, query parameters and response model (`Page[PersonRead]`, 50 rows) as
`GET /api/v1/people`, with no authentication, no middleware and no ORM:

- `create_app`: the page and its total read from the same PostgreSQL database with two
  hand-written SQL statements on a plain connection pool — the raw baseline;
- `create_memory_app`: the page sliced from a list in memory — the framework's floor.

Served with `uvicorn --factory bench.bare_app:…` and the same loop, parser and workers as
`storyroom serve`.
"""

import os
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import create_engine, text

from app.deps import Page, PaginationDep
from app.people.schemas import LevelRef, PersonRead, PersonRef

PEOPLE = 20_000
PAGE_SQL = text(
    """
    SELECT p.id, p.email, p.name, p.title, p.department, p.employee_id, p.active,
           p.created_at, p.updated_at, l.id, l.key, l.name, l.is_executive,
           m.id, m.email, m.name
    FROM (SELECT * FROM person ORDER BY name, id LIMIT :limit OFFSET :offset) AS p
    JOIN level AS l ON l.id = p.level_id
    LEFT JOIN person AS m ON m.id = p.manager_id
    ORDER BY p.name, p.id
    """
)
AFTER_SQL = text(
    """
    SELECT p.id, p.email, p.name, p.title, p.department, p.employee_id, p.active,
           p.created_at, p.updated_at, l.id, l.key, l.name, l.is_executive,
           m.id, m.email, m.name
    FROM (SELECT * FROM person
          WHERE (name, id) > (SELECT name, id FROM person WHERE id = :after)
          ORDER BY name, id LIMIT :limit) AS p
    JOIN level AS l ON l.id = p.level_id
    LEFT JOIN person AS m ON m.id = p.manager_id
    ORDER BY p.name, p.id
    """
)


def create_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    engine = create_engine(os.environ["STORYROOM_DATABASE_URL"], pool_size=10, max_overflow=20)

    @app.get("/readyz")
    def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/api/v1/people")
    def list_people(page: PaginationDep, after: int | None = None) -> Page[PersonRead]:
        with engine.connect() as connection:
            total = connection.execute(text("SELECT count(*) FROM person")).scalar_one()
            if after is None:
                rows = connection.execute(PAGE_SQL, {"limit": page.limit, "offset": page.offset})
            else:
                rows = connection.execute(AFTER_SQL, {"limit": page.limit, "after": after})
            items = [
                PersonRead(
                    id=r[0],
                    email=r[1],
                    name=r[2],
                    title=r[3],
                    department=r[4],
                    employee_id=r[5],
                    active=r[6],
                    created_at=r[7],
                    updated_at=r[8],
                    level=LevelRef(id=r[9], key=r[10], name=r[11], is_executive=r[12]),
                    manager=PersonRef(id=r[13], email=r[14], name=r[15]) if r[13] else None,
                )
                for r in rows
            ]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    return app


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


def create_memory_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    people = directory()

    @app.get("/readyz")
    def ready() -> dict[str, str]:
        return {"status": "ready"}

    # `async def`: nothing here blocks, so the floor does not pay for a thread hop.
    @app.get("/api/v1/people")
    async def list_people(page: PaginationDep) -> Page[PersonRead]:
        return Page(
            items=people[page.offset : page.offset + page.limit],
            total=len(people),
            limit=page.limit,
            offset=page.offset,
        )

    return app
