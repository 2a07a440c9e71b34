"""What every repository starts from: the Database of the unit of work it serves."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.db.database import Database


class Repository:
    """Base of the repositories. They never commit: the service's unit of work does."""

    def __init__(self, database: Database) -> None:
        """Read and write through `database`."""
        self._database = database

    @property
    def _session(self) -> AsyncSession:
        """The ORM session, for writes and the reads that stay on the ORM."""
        return self._database.session
