"""The scale test runs a real deployment (PostgreSQL, Redis, web and worker processes).

It takes minutes and needs those services, so it runs only through `make scale-test`
(STORYROOM_SCALE_TEST=1); otherwise it is not even collected, so `make test` neither runs
nor reports it.
"""

import os

collect_ignore_glob = [] if os.environ.get("STORYROOM_SCALE_TEST") == "1" else ["test_*.py"]
