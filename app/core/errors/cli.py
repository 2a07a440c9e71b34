"""The command line's error boundary: every failure becomes one readable line on stderr.

Commands record which database they are about to use (`note_database`); when one of
them fails, `ErrorBoundaryGroup` turns the exception into a sentence naming that
host, never the URL (it may hold a password), and exits non-zero. The traceback is
still logged at DEBUG level, for `LOG_LEVEL=DEBUG`.
"""

import logging
import socket
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from typer.core import TyperGroup

logger = logging.getLogger(__name__)

_database: ContextVar[str | None] = ContextVar("cli_database", default=None)
FAILURE_EXIT_CODE = 1
# SQLSTATEs of a server that refuses the connection itself: connection exceptions (08),
# authorization (28), unknown database (3D), too many connections, shutting down or
# starting up.
_CONNECTION_STATE_CLASSES = ("08", "28", "3D")
_CONNECTION_STATES = {"53300", "57P01", "57P03"}
_UNDEFINED_TABLE = "42P01"


class CliFailure(Exception):
    """A failure the command explains itself: `message` is printed as is."""

    def __init__(self, message: str, *, exit_code: int = FAILURE_EXIT_CODE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def database_address(url: str) -> str:
    """`host:port` of a database URL (the socket directory for a Unix socket), no credentials."""
    parsed = make_url(url)
    host = parsed.host or parsed.query.get("host") or "localhost"
    if isinstance(host, tuple):  # a repeated ?host= parameter
        host = ",".join(host)
    if host.startswith("/"):
        return f"the socket in {host}"
    return f"{host}:{parsed.port or 5432}"


def note_database(url: str) -> None:
    """Remember the database the running command uses, for its error messages."""
    _database.set(database_address(url))


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, DBAPIError) and isinstance(current.orig, BaseException):
            yield current.orig
            current = current.orig.__cause__
        else:
            current = current.__cause__


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _unreachable_reason(error: BaseException) -> str | None:
    """Why the server could not be reached, when `error` says so."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "unknown host"
    if isinstance(error, TimeoutError):
        return "no answer in time"
    if isinstance(error, ConnectionError):
        return "connection lost"
    if isinstance(error, OSError) and error.filename is None:
        # Socket errors carry no file name; files the command opened do.
        if isinstance(error, FileNotFoundError):
            return "no server socket there"
        return (error.strerror or _first_line(error)).lower()
    return None


def describe_failure(error: BaseException, database: str | None) -> str:
    """One line saying what went wrong, naming `database` (never its URL) when it is known."""
    where = f" at {database}" if database else ""
    chain = list(_chain(error))
    for link in reversed(chain):  # the root cause is the most specific
        if (reason := _unreachable_reason(link)) is not None:
            return f"cannot reach the database{where} ({reason})"
    for link in reversed(chain):  # the driver's own error reads best
        state = getattr(link, "sqlstate", None)
        if not isinstance(state, str):
            continue
        message = _first_line(link)
        if state.startswith(_CONNECTION_STATE_CLASSES) or state in _CONNECTION_STATES:
            return f"cannot connect to the database{where}: {message}"
        if state == _UNDEFINED_TABLE:
            return (
                f"the database{where} is not migrated ({message}); "
                "run `python -m app migrate` first"
            )
        return f"database error{where}: {message}"
    if isinstance(error, SQLAlchemyError):
        return f"database error{where}: {_first_line(error)}"
    return (
        f"unexpected {type(error).__name__}: {_first_line(error)} "
        "(LOG_LEVEL=DEBUG shows the traceback)"
    )


class ErrorBoundaryGroup(TyperGroup):
    """A command group whose commands fail with one line on stderr, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; print any failure as one line and exit non-zero."""
        database = _database.set(None)
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # usage errors and deliberate exits: Typer reports them
        except CliFailure as failure:
            typer.secho(f"Error: {failure.message}", fg=typer.colors.RED, err=True)
            raise typer.Exit(code=failure.exit_code) from failure
        except Exception as error:
            logger.debug("command failed", exc_info=error)
            message = describe_failure(error, _database.get())
            typer.secho(f"Error: {message}.", fg=typer.colors.RED, err=True)
            raise typer.Exit(code=FAILURE_EXIT_CODE) from error
        finally:
            _database.reset(database)
