"""Reading database errors: refused values, broken constraints, an unavailable server."""

from asyncpg import InterfaceError, InternalClientError, PostgresConnectionError
from asyncpg.exceptions import (
    OperatorInterventionError,
    QueryCanceledError,
    TooManyConnectionsError,
)

# The driver's own refusal of a query's arguments: a mistake in the code, not an outage.
from asyncpg.exceptions._base import DataError as ArgumentError
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

# SQLSTATE class 22: the database refused a value (NUL byte, out of range, bad encoding...).
DATA_EXCEPTION_CLASS = "22"


def _driver_attribute(error: DBAPIError, name: str) -> str | None:
    for candidate in (error.orig, getattr(error.orig, "__cause__", None)):
        value = getattr(candidate, name, None)
        if isinstance(value, str):
            return value
    return None


def violated_constraint(error: IntegrityError) -> str | None:
    """Name of the constraint an IntegrityError broke, when the driver reports it."""
    return _driver_attribute(error, "constraint_name")


def is_data_exception(error: DBAPIError) -> bool:
    """Whether PostgreSQL refused a value the client sent (SQLSTATE class 22)."""
    state = _driver_attribute(error, "sqlstate")
    return state is not None and state.startswith(DATA_EXCEPTION_CLASS)


# SQLSTATE 55P03: a lock was not granted within `lock_timeout`.
LOCK_NOT_AVAILABLE = "55P03"


def is_lock_timeout(error: DBAPIError) -> bool:
    """Whether the statement gave up waiting for a lock (`lock_timeout` ran out)."""
    return _driver_attribute(error, "sqlstate") == LOCK_NOT_AVAILABLE


# What the server being down, starting, stopping or out of reach looks like, raw or
# wrapped: refused or reset connections and connect timeouts (OSError, TimeoutError),
# SQLSTATE class 08 (connection exceptions), 57 (shutting down, starting up) and
# 53300 (too many connections), a
# closed connection (the driver's InterfaceError), and no free pooled connection.
# And a connection the server is closing: when its goodbye (FATAL 57P01 on a stop or a
# restart) reaches an idle pooled connection, asyncpg puts the connection in an error
# state, and until the socket's close is processed a new query on it fails with
# InternalClientError ("cannot switch to state 12; another operation (2) is in
# progress") rather than "connection is closed". Nothing was sent to the server.
_UNAVAILABLE = (
    OSError,
    TimeoutError,
    PostgresConnectionError,
    OperatorInterventionError,
    TooManyConnectionsError,
    InterfaceError,
    InternalClientError,
    PoolTimeoutError,
)


def is_connection_lost(error: BaseException) -> bool:
    """Whether the connection itself failed, so the same query may succeed on another.

    Unlike `is_database_unavailable`, not a statement that ran out of time (a retry
    would only wait as long again).
    """
    slow = isinstance(error, TimeoutError | QueryCanceledError)
    return not slow and is_database_unavailable(error)


# Every class `is_database_unavailable` may say yes to, for exception handlers.
DATABASE_ERRORS: tuple[type[Exception], ...] = (DBAPIError, *_UNAVAILABLE)


def is_database_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached now (not that a query was wrong)."""
    if isinstance(error, ArgumentError):
        return False
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        if error.orig is None:
            return False
        # The ORM's driver adapter raises errors of its own classes, the driver's as their
        # cause; it flags a lost connection as invalidated, but not one still closing.
        cause = error.orig.__cause__
        return is_database_unavailable(error.orig) or isinstance(cause, InternalClientError)
    return isinstance(error, _UNAVAILABLE)
