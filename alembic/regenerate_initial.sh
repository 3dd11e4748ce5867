#!/usr/bin/env bash
# Until the first release the schema is one migration, regenerated from the models; the data
# migrations after it (default levels…) are kept. After a release, add revisions with
# `alembic revision --autogenerate -m "…"` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'mv "$tmp"/later/*.py alembic/versions/ 2>/dev/null || true; rm -rf "$tmp"' EXIT
mkdir "$tmp/later"
find alembic/versions -name '*.py' ! -name '*_0001_initial.py' -exec mv {} "$tmp/later/" \;
rm -f alembic/versions/*_0001_initial.py
STORYROOM_VAR_DIR="$tmp" STORYROOM_DATABASE_URL="sqlite:///$tmp/empty.db" \
  .venv/bin/alembic revision --autogenerate -m initial --rev-id 0001 >/dev/null
.venv/bin/ruff format -q alembic/versions
ls alembic/versions/*_0001_initial.py
