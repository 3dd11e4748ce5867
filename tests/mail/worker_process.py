"""A Storyroom worker for the crash test: the real Huey consumer, with the test composer.

Run as `python -m tests.mail.worker_process` with the test's environment (database, queue,
SMTP URL); the test kills it with SIGKILL mid-batch.
"""

from app.mail import compose
from app.models import DeliveryKind
from app.worker import huey, load_tasks
from tests.mail.support import compose_test_message


def main() -> None:
    load_tasks()
    # After load_tasks: the domains' composers are imported by then, and this one wins.
    compose.composes(DeliveryKind.recap)(compose_test_message)
    huey.create_consumer(workers=1, worker_type="thread", periodic=False).run()


if __name__ == "__main__":
    main()
