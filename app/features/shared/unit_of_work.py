"""The request's transaction boundary, as services see it."""

import logging

from app.core.config.db.database import Database
from app.core.config.db.errors import DATABASE_ERRORS, is_database_unavailable
from app.core.errors.catalogue import WriteOutcomeUnknown
from app.core.errors.problems import DATABASE_RETRY_AFTER_SECONDS

logger = logging.getLogger("app.database")


class UnitOfWork:
    """Commits the request's session. Services call `commit` once, after a successful write."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def commit(self) -> None:
        """Make every change of this request durable.

        Raises:
            WriteOutcomeUnknown: the connection was lost during the commit, which the
                server may or may not have carried out (answered 503, read first).
        """
        try:
            await self._database.session.commit()
        except DATABASE_ERRORS as error:
            if not is_database_unavailable(error):
                raise
            logger.warning("commit outcome unknown: the connection was lost during COMMIT")
            retry = {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}
            raise WriteOutcomeUnknown(headers=retry) from error

    async def end_reads(self) -> None:
        """Give the connection back to the pool before slow work that needs no database.

        Call it only before the request's first write: it ends the transaction the
        reads so far ran in. Loaded objects stay usable, and the next statement takes
        a connection again.
        """
        await self._database.session.commit()
