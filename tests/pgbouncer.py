"""A real PgBouncer in transaction pooling mode, in front of a test database.

The `pgbouncer` executable comes from the Debian/Ubuntu package of that name. When
it is missing, a root process installs it with apt-get; anyone else gets a test
failure saying how to install it (never a skip: the check would silently vanish).
"""

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

from tests.processes import free_port

INSTALL_HINT = (
    "pgbouncer is not installed: run `sudo apt-get install -y pgbouncer` (Debian/Ubuntu) and retry"
)
# apt puts it in /usr/sbin, which the PATH of a non-root user often lacks.
_SBIN_DIRS = ("/usr/sbin", "/usr/local/sbin")
# PgBouncer refuses to run as root; root runs it as this user instead.
_UNPRIVILEGED_USER = "nobody"
# From 1.21 PgBouncer can track protocol-level prepared statements itself
# (`max_prepared_statements`); it stays off, as in older versions, so the client must cope.
_TRACKS_PREPARED_STATEMENTS_SINCE = (1, 21)
START_TIMEOUT_SECONDS = 10.0


def pgbouncer_executable() -> str:
    """The pgbouncer executable; installed with apt-get when missing and we are root."""
    search_path = os.pathsep.join([os.environ.get("PATH", ""), *_SBIN_DIRS])
    if found := shutil.which("pgbouncer", path=search_path):
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("pgbouncer is missing: apt-get install -y pgbouncer", flush=True)
        for command in (["update", "-qq"], ["install", "-y", "-qq", "pgbouncer"]):
            subprocess.run(["apt-get", *command], check=False, stdout=subprocess.DEVNULL)  # noqa: S603, S607
        if found := shutil.which("pgbouncer", path=search_path):
            return found
    pytest.fail(INSTALL_HINT, pytrace=False)


def pgbouncer_version(executable: str) -> tuple[int, int]:
    """Major and minor version of the executable, from `pgbouncer --version`."""
    output = subprocess.run(  # noqa: S603
        [executable, "--version"], check=True, capture_output=True, text=True
    ).stdout
    match = re.search(r"PgBouncer (\d+)\.(\d+)", output)
    if match is None:
        raise RuntimeError(f"unexpected `pgbouncer --version` output: {output!r}")
    return int(match[1]), int(match[2])


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _config(
    server: URL, *, port: int, directory: Path, server_connections: int, tracks: bool
) -> str:
    # Unix-socket servers (the embedded PostgreSQL) carry their directory in `?host=`.
    host = server.query.get("host") or server.host or "127.0.0.1"
    target = {
        "host": str(host),
        "port": str(server.port or 5432),
        "dbname": server.database or "postgres",
        "user": server.username or "postgres",
        "password": server.password or "",
    }
    connection = " ".join(f"{key}={_quoted(value)}" for key, value in target.items() if value)
    lines = [
        "[databases]",
        f"{target['dbname']} = {connection}",
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        f"listen_port = {port}",
        "unix_socket_dir =",
        # Clients are trusted; PgBouncer logs in to the server with the password above.
        "auth_type = trust",
        f"auth_file = {directory / 'users.txt'}",
        "pool_mode = transaction",
        f"default_pool_size = {server_connections}",
        "max_client_conn = 200",
    ]
    if tracks:
        lines.append("max_prepared_statements = 0")
    return "\n".join(lines) + "\n"


def _run_as(server: URL) -> pwd.struct_passwd | None:
    """Who PgBouncer runs as: None for ourselves; as root, someone who may reach the server."""
    if os.geteuid() != 0:
        return None
    socket_dir = server.query.get("host")
    if isinstance(socket_dir, str) and Path(socket_dir).is_dir():
        # The embedded server's socket sits in its private data directory.
        return pwd.getpwuid(Path(socket_dir).stat().st_uid)
    return pwd.getpwnam(_UNPRIVILEGED_USER)


def _wait_until_listening(process: "subprocess.Popen[bytes]", port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(
        f"pgbouncer did not listen within {START_TIMEOUT_SECONDS}s:\n{log.read_text()}"
    )


@contextlib.contextmanager
def running_pgbouncer(database_url: str, *, server_connections: int = 2) -> Iterator[str]:
    """Run PgBouncer in transaction mode in front of `database_url`'s database.

    Yields the URL clients use instead: the same user and database on PgBouncer's
    port. At most `server_connections` server connections serve every client.
    """
    executable = pgbouncer_executable()
    server = make_url(database_url)
    directory = Path(tempfile.mkdtemp(prefix="re-pgbouncer-"))
    port = free_port()
    tracks = pgbouncer_version(executable) >= _TRACKS_PREPARED_STATEMENTS_SINCE
    config = directory / "pgbouncer.ini"
    config.write_text(
        _config(
            server,
            port=port,
            directory=directory,
            server_connections=server_connections,
            tracks=tracks,
        )
    )
    (directory / "users.txt").write_text(f'"{server.username or "postgres"}" ""\n')
    command = [executable, str(config)]
    if (user := _run_as(server)) is not None:
        for path in (directory, config, directory / "users.txt"):
            os.chown(path, user.pw_uid, user.pw_gid)
        command[1:1] = ["-u", user.pw_name]
    log = directory / "pgbouncer.log"
    try:
        with log.open("wb") as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            _wait_until_listening(process, port, log)
            yield server.set(host="127.0.0.1", port=port, query={}).render_as_string(
                hide_password=False
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
