"""A unit of work's access to PostgreSQL: the ORM session, and hot reads without the ORM.

The ORM pays for what writes need (identity map, change tracking, flush order) on
every statement; a read that only turns rows into objects does not need it. Such
reads are `Query` objects, compiled once from SQLAlchemy Core statements, that run
on the driver connection (asyncpg) and become the same mapped objects the ORM would
load, at a fraction of the cost.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, cast

from asyncpg import InterfaceError, InternalClientError, PostgresError
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import class_mapper, make_transient_to_detached
from sqlalchemy.sql.expression import Select
from sqlalchemy.util import greenlet_spawn

from app.core.config.db.errors import is_connection_lost, is_database_unavailable

if TYPE_CHECKING:
    from asyncpg import Connection, Record
    from sqlalchemy.pool import PoolProxiedConnection

Model = TypeVar("Model")

_DIALECT = asyncpg_dialect.dialect()  # type: ignore[no-untyped-call]


class RowLoader(Generic[Model]):
    """Builds mapped objects from rows as the ORM loads them, history clean.

    Values go straight into the instance's `__dict__` (as the ORM's own loader does),
    with the model's enum columns converted from their text. The objects are not in
    any session; `Database` makes them detached (with an identity) when a session
    should adopt them.
    """

    def __init__(self, model: type[Model], columns: Sequence[str]) -> None:
        """Learn how to build `model` objects from rows of `columns`, in that order."""
        mapper = class_mapper(model)
        self._columns = tuple(columns)
        self._new: Callable[[], Model] = mapper.class_manager.new_instance
        # Each enum column's members by stored text: a dict lookup, where calling the
        # enum class costs a microsecond per value (a page of listings has eighty).
        self._enums: dict[str, Mapping[Any, Enum]] = {
            column.key: {member.value: member for member in column.type.enum_class}
            for column in mapper.columns
            if isinstance(column.type, SAEnum) and column.type.enum_class is not None
        }

    def load(self, row: "Record") -> Model:
        """The object of one row, whose columns are named after the model's attributes."""
        instance = self._new()
        values = dict(zip(self._columns, row, strict=True))
        for key, members in self._enums.items():
            if key in values and values[key] is not None:
                values[key] = members[values[key]]
        instance.__dict__.update(values)
        return instance


@dataclass(frozen=True)
class Query(Generic[Model]):
    """A SELECT compiled once, and how its rows become `Model` objects.

    `params` names the statement's parameters in the order the SQL numbers them.
    """

    sql: str
    params: tuple[str, ...]
    loader: RowLoader[Model]

    @classmethod
    def of(cls, statement: Select[Any], model: type[Model]) -> "Query[Model]":
        """Compile `statement` for asyncpg.

        Its values must all be named `bindparam`s, its columns `model`'s attributes.
        """
        compiled = statement.compile(dialect=_DIALECT)
        params = tuple(getattr(compiled, "positiontup", None) or ())
        loader = RowLoader(model, statement.selected_columns.keys())
        return Query(sql=str(compiled), params=params, loader=loader)

    def args(self, values: Mapping[str, Any]) -> list[Any]:
        """The positional arguments for `values`, keyed by parameter name."""
        return [values[name] for name in self.params]


_DRIVER_ERRORS = (PostgresError, InterfaceError, InternalClientError, OSError)


def _wrapped(query: "Query[Any]", error: BaseException) -> DBAPIError:
    """The driver's error as the ORM would report it (the driver's error in `orig`)."""
    broken = is_database_unavailable(error)
    return DBAPIError(
        query.sql,
        None,
        error,
        hide_parameters=True,
        connection_invalidated=broken,
    )


class Database:
    """What one request (or command) uses of PostgreSQL, each part opened on first use.

    - `session`: the ORM session, for writes and the unit of work.
    - `fetch_all` / `fetch_one`: `Query` reads on the driver connection. When the
      Database is read-only they run on a pooled connection of their own, in
      autocommit (no BEGIN, no ROLLBACK); otherwise on the session's connection,
      inside its transaction, so a write request reads its own writes, and the
      objects they return join the session like any it loaded.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession] | None,
        *,
        read_engine: AsyncEngine | None = None,
        session: AsyncSession | None = None,
    ) -> None:
        """Prefer the constructors `for_reads`, `for_writes` and `over`."""
        self._sessions = sessions
        self._read_engine = read_engine
        self._session = session
        self._read_connection: PoolProxiedConnection | None = None

    @classmethod
    def for_reads(
        cls, sessions: async_sessionmaker[AsyncSession], read_engine: AsyncEngine
    ) -> Self:
        """A Database whose `Query` reads run on `read_engine`'s pool, in autocommit."""
        return cls(sessions, read_engine=read_engine)

    @classmethod
    def for_writes(cls, sessions: async_sessionmaker[AsyncSession]) -> Self:
        """A Database whose reads share the session's transaction."""
        return cls(sessions)

    @classmethod
    def over(cls, session: AsyncSession) -> Self:
        """A Database over an open session (tests, commands); it does not close it."""
        return cls(None, session=session)

    @property
    def session(self) -> AsyncSession:
        """The ORM session, opened on first use."""
        if self._session is None:
            if self._sessions is None:
                raise RuntimeError("this Database has no session factory")
            self._session = self._sessions()
        return self._session

    async def fetch_all(self, query: Query[Model], values: Mapping[str, Any]) -> list[Model]:
        """The objects of every row `query` returns for `values`.

        Raises:
            DBAPIError: the database refused the query or could not be reached, as
                the ORM would report it (the driver's error in `orig`).
        """
        arguments = query.args(values)
        try:
            rows = await (await self._connection()).fetch(query.sql, *arguments)
        except _DRIVER_ERRORS as error:
            if not is_connection_lost(error):
                raise _wrapped(query, error) from error
            if self._read_engine is None:
                # The session's connection is lost too: the ORM never saw the error, so
                # unless it is invalidated here the pool would hand it to the next request.
                await self._discard_session_connection(error)
                raise _wrapped(query, error) from error
            # A pooled connection the server dropped (a restart, a failover): a read in
            # autocommit changes nothing, so it is tried once more on a fresh connection.
            await self._discard_read_connection(error)
            try:
                rows = await (await self._connection()).fetch(query.sql, *arguments)
            except _DRIVER_ERRORS as again:
                if is_connection_lost(again):
                    await self._discard_read_connection(again)
                raise _wrapped(query, again) from again
        return await self._adopt([query.loader.load(row) for row in rows])

    async def fetch_one(self, query: Query[Model], values: Mapping[str, Any]) -> Model | None:
        """The object of the first row `query` returns for `values`, if any.

        Raises:
            DBAPIError: as `fetch_all`.
        """
        rows = await self.fetch_all(query, values)
        return rows[0] if rows else None

    async def close(self) -> None:
        """Give back the read connection and close the session (unless it was given)."""
        if self._read_connection is not None:
            connection, self._read_connection = self._read_connection, None
            await greenlet_spawn(connection.close)
        if self._session is not None and self._sessions is not None:
            await self._session.close()

    async def _connection(self) -> "Connection":
        if self._read_engine is None:
            connection = await self.session.connection()
            raw = await connection.get_raw_connection()
            return cast("Connection", raw.driver_connection)
        if self._read_connection is None:
            self._read_connection = await self._read_engine.raw_connection()
        return cast("Connection", self._read_connection.driver_connection)

    async def _discard_session_connection(self, error: Exception) -> None:
        connection = await self.session.connection()
        await connection.invalidate(error)  # the pool replaces it

    async def _discard_read_connection(self, error: Exception) -> None:
        if self._read_connection is not None:
            connection, self._read_connection = self._read_connection, None
            await greenlet_spawn(connection.invalidate, error)  # the pool replaces it

    async def _adopt(self, instances: Sequence[Model]) -> list[Model]:
        if self._read_engine is not None:
            return list(instances)
        if not instances:
            return []
        session = self.session
        adopted = []
        mapped = set(class_mapper(type(instances[0])).attrs.keys())  # one model per query
        for instance in instances:
            # Values the query computed (a distance...) are no columns: merge would drop them.
            computed = {key: value for key, value in vars(instance).items() if key not in mapped}
            computed.pop("_sa_instance_state", None)
            make_transient_to_detached(instance)
            joined = await session.merge(instance, load=False)
            vars(joined).update(computed)
            adopted.append(joined)
        return adopted
