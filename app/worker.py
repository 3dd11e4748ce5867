"""The task queue: Huey on a SQLite file by default, on Redis when the queue URL says so.

Jobs take ids, open their own database session and commit at the end; rows in the database,
not the queue, say what has been done, so a lost or repeated job is harmless.
"""

from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey, signals
from huey.api import Task
from prometheus_client import Counter

from app.config import Settings, get_settings
from app.system.logs import request_id

TASK_MODULES = (
    "app.story_sessions.tasks",
    "app.recaps.tasks",
    "app.mail.tasks",
    "app.distribution.tasks",
    "app.invitations.tasks",
    "app.commitments.tasks",
    "app.transcripts.tasks",
)


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
# Here, not in app.system.metrics, which reads the queue's depth from this module.
JOBS = Counter("storyroom_jobs", "Background jobs run, by outcome.", ["task", "outcome"])


def load_tasks() -> None:
    """Import every module that defines tasks, so the consumer knows them."""
    import importlib

    for module in TASK_MODULES:
        importlib.import_module(module)


# One request id through web and worker: a job queued while answering a request carries that
# request's id and logs under it; periodic jobs get an id of their own.
_REQUEST_ID_KWARG = "_request_id"


@huey.signal(signals.SIGNAL_ENQUEUED)
def _carry_request_id(signal: str, task: Task) -> None:
    current = request_id.get()
    if current != "-" and task.kwargs is not None:
        task.kwargs[_REQUEST_ID_KWARG] = current


@huey.pre_execute()
def _adopt_request_id(task: Task) -> None:
    given = (task.kwargs or {}).pop(_REQUEST_ID_KWARG, None)
    task.request_id_token = request_id.set(given or f"job-{task.id[:8]}")


@huey.post_execute()
def _drop_request_id(task: Task, _value: object, _error: BaseException | None) -> None:
    # Or the consumer's next "Executing …" line (logged before pre_execute) wears this id.
    token = getattr(task, "request_id_token", None)
    if token is not None:
        request_id.reset(token)


@huey.signal()
def _count_outcome(signal: str, task: Task, *_: object) -> None:
    if signal in _OUTCOMES:
        JOBS.labels(task.name, signal).inc()


_OUTCOMES = {
    signals.SIGNAL_COMPLETE,
    signals.SIGNAL_ERROR,
    signals.SIGNAL_RETRYING,
    signals.SIGNAL_TIMEOUT,
    signals.SIGNAL_EXPIRED,
    signals.SIGNAL_CANCELED,
}
