"""The unit of work's commit when the connection is lost under it."""

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config.db.database import Database
from app.core.errors.catalogue import WriteOutcomeUnknown
from app.features.shared.unit_of_work import UnitOfWork


async def test_a_commit_whose_connection_is_lost_has_an_unknown_outcome(
    engine: AsyncEngine,
) -> None:
    async with AsyncSession(engine) as session, AsyncSession(engine) as other:
        pid = await session.scalar(text("SELECT pg_backend_pid()"))
        await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

        with pytest.raises(WriteOutcomeUnknown) as raised:
            await UnitOfWork(Database.over(session)).commit()

    assert raised.value.headers == {"Retry-After": "5"}
    assert raised.value.status == 503
