"""Request-scoped plumbing every router may use."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.types import Scope

from app.core.config.db.database import Database

# Methods that never change anything (RFC 9110): their requests read without a transaction.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Where the request's Database waits for `close_request_database`.
_DATABASE = "database"


async def get_database(request: Request) -> Database:
    """The request's Database; what it opened is closed (and rolled back) when it ends.

    `RequestContextMiddleware` closes it through `close_request_database` once the
    response is sent: a plain dependency with the closing done by the middleware
    costs each request less than a dependency with `yield`.

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
        database = Database.for_reads(state.read_sessionmaker, replica or state.engine)
    else:
        database = Database.for_writes(state.sessionmaker)
    request.scope.setdefault("state", {})[_DATABASE] = database
    return database


async def close_request_database(scope: Scope) -> None:
    """Close the Database `get_database` opened for this request, if it did."""
    database: Database | None = scope.get("state", {}).pop(_DATABASE, None)
    if database is not None:
        await database.close()


DatabaseDep = Annotated[Database, Depends(get_database)]
