"""The task queue: Huey on a SQLite file by default, on Redis when the queue URL says so.

Jobs take ids, open their own database session and commit at the end; rows in the database,
not the queue, say what has been done, so a lost or repeated job is harmless.
"""

from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

from app.config import Settings, get_settings

TASK_MODULES = ("app.story_sessions.tasks",)


def create_huey(settings: Settings) -> Huey:
    url = settings.queue_url
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("storyroom", url=url)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("storyroom", filename=str(path))
    raise ValueError(f"STORYROOM_QUEUE_URL must be redis://… or sqlite:///…, not {url!r}")


huey = create_huey(get_settings())


def load_tasks() -> None:
    """Import every module that defines tasks, so the consumer knows them."""
    import importlib

    for module in TASK_MODULES:
        importlib.import_module(module)
