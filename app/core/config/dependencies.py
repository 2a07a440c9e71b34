"""Request-scoped plumbing every router may use."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

# Methods that never change anything (RFC 9110): their requests read without a transaction.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One database session per request, rolled back unless a service committed.

    Safe methods get an autocommit session: nothing to roll back, and no BEGIN.
    """
    state = request.app.state
    sessions = state.read_sessionmaker if request.method in SAFE_METHODS else state.sessionmaker
    async with sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
