"""Wait for PostgreSQL, take an advisory lock, and upgrade the schema to head.

Used by dockerfiles/migrate.Dockerfile as a one-shot job before the servers start.
Replicas started together are safe: the lock makes them run one after another,
and every one after the first finds the schema already at head.

Environment:
    DATABASE_URL                 the database to migrate (required)
    MIGRATE_MAX_WAIT_SECONDS     give up waiting for the database after this long (60)
"""

import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.config.db.migrations import migrate_to_head


def log(message: str) -> None:
    """One line on stderr, flushed at once (container logs)."""
    print(f"migrate: {message}", file=sys.stderr, flush=True)


def main() -> int:
    """Run the migration; exit 1 with a clear message on failure."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        log("DATABASE_URL is not set")
        return 1
    max_wait = float(os.environ.get("MIGRATE_MAX_WAIT_SECONDS", "60"))
    try:
        log(asyncio.run(migrate_to_head(url, max_wait_seconds=max_wait, log=log)))
    except Exception as error:  # report any failure in one line, then fail the job
        log(f"failed: {type(error).__name__}: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
