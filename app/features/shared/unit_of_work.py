"""The request's transaction boundary, as services see it."""

from sqlalchemy.ext.asyncio import AsyncSession


class UnitOfWork:
    """Commits the request's session. Services call `commit` once, after a successful write."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def commit(self) -> None:
        """Make every change of this request durable."""
        await self._session.commit()
