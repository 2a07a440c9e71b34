"""Request-scoped plumbing every router may use."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from app.core.config.db.database import Database

# Methods that never change anything (RFC 9110): their requests read without a transaction.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_database(request: Request) -> AsyncIterator[Database]:
    """The request's Database; what it opened is closed (and rolled back) when it ends.

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
    try:
        yield database
    finally:
        await database.close()


DatabaseDep = Annotated[Database, Depends(get_database)]
