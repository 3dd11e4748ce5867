#!/usr/bin/env bash
# Until the first release the schema is one migration, regenerated from the models.
# After a release, add revisions with `alembic revision --autogenerate -m "…"` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f alembic/versions/*_0001_initial.py
STORYROOM_VAR_DIR="$tmp" STORYROOM_DATABASE_URL="sqlite:///$tmp/empty.db" \
  .venv/bin/alembic revision --autogenerate -m initial --rev-id 0001 >/dev/null
.venv/bin/ruff format -q alembic/versions
rm -rf "$tmp"
ls alembic/versions/*_0001_initial.py
