"""The request's transaction boundary, as services see it."""

from app.core.config.db.database import Database


class UnitOfWork:
    """Commits the request's session. Services call `commit` once, after a successful write."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def commit(self) -> None:
        """Make every change of this request durable."""
        await self._database.session.commit()

    async def end_reads(self) -> None:
        """Give the connection back to the pool before slow work that needs no database.

        Call it only before the request's first write: it ends the transaction the
        reads so far ran in. Loaded objects stay usable, and the next statement takes
        a connection again.
        """
        await self._database.session.commit()
