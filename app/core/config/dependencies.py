"""Request-scoped plumbing every router may use: the request's Database."""

from starlette.requests import Request
from starlette.types import Scope

from app.core.config.db.database import Database

# Methods that never change anything (RFC 9110): their requests read without a transaction.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Where the request's Database waits for `close_request_database`.
_DATABASE = "database"


def database_of(request: Request) -> Database:
    """The request's Database, opened on first use; closed (and rolled back) when it ends.

    A plain function that the service dependencies call, rather than a dependency of
    its own: FastAPI resolves each dependency on every request that uses it, at a
    cost comparable to a query's. `RequestContextMiddleware` closes the Database
    through `close_request_database` once the response is sent. How it is opened is
    `app.state.open_database` (`open_request_database`, unless a test replaces it).
    """
    state = request.scope.setdefault("state", {})
    database: Database | None = state.get(_DATABASE)
    if database is None:
        database = state[_DATABASE] = request.app.state.open_database(request)
    return database


def open_request_database(request: Request) -> Database:
    """A Database suited to the request.

    Safe methods read in autocommit, on a pooled connection taken at the first query:
    nothing to roll back, no BEGIN. Other methods run in one transaction that commits
    only if a service commits it.

    With a read replica configured, anonymous reads (the public search and listings)
    go there; a request with credentials reads the primary, so whoever writes reads
    their own writes at once, whatever the replica's lag.
    """
    state = request.app.state
    if request.method in SAFE_METHODS:
        anonymous = "authorization" not in request.headers
        replica = state.replica_engine if anonymous else None
        return Database.for_reads(state.read_sessionmaker, replica or state.engine)
    return Database.for_writes(state.sessionmaker)


async def close_request_database(scope: Scope) -> None:
    """Close the request's Database, if it opened one."""
    database: Database | None = scope.get("state", {}).pop(_DATABASE, None)
    if database is not None:
        await database.close()
