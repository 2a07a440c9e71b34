"""Whether the ceiling still sends the service's SQL, statement for statement.

The service's own repositories run against the benchmark database with a hook that
records each statement SQLAlchemy hands to asyncpg; the ceiling's hand-written SQL
for the same inputs must be the same text (whitespace aside). When the service's
queries change, the report says which ceiling statement to update.
"""

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import event

from app.core.config.db.database import Database
from app.core.config.db.engine import create_engine, create_sessionmaker
from app.core.config.settings import Settings
from app.features.auth.model import AuthSession
from app.features.auth.repository import AuthSessionRepository
from app.features.real_estates.model import PropertyKind
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.search import ListingFilters, ListingSort
from app.features.shared.cpf import Cpf
from app.features.users.repository import UserRepository
from benchmarks.ceiling.queries import (
    SQL_ACTIVE_USER,
    SQL_ADD_REFRESH_TOKEN,
    SQL_ADD_SESSION,
    SQL_LISTING,
    SQL_PURGE_ENDED_SESSIONS,
    SQL_USER_BY_CPF,
    encode_cursor,
    search_sql,
)
from benchmarks.dataset import Dataset
from benchmarks.scenarios import FILTERED, FULL_TEXT, PAGE_SIZE

DEEP_KEY = 113_174_000  # any keyset position will do: only the statement's text matters


def _normalized(sql: str) -> str:
    return " ".join(sql.split())


def _difference(service: str, ceiling: str) -> str:
    one, other = _normalized(service), _normalized(ceiling)
    if one == other:
        return ""
    at = next(
        (index for index, (a, b) in enumerate(zip(one, other, strict=False)) if a != b),
        min(len(one), len(other)),
    )
    start = max(0, at - 40)
    return f"service `…{one[start : at + 60]}…` ceiling `…{other[start : at + 60]}…`"


# What asyncpg sends on its own: transaction control (for the ORM, which SQLAlchemy
# records itself), and type introspection the first time a connection meets an enum.
DRIVER_OWN_STATEMENTS = (
    "begin",
    "commit",
    "rollback",
    "savepoint",
    "release",
    "with recursive typeinfo_tree",
    "select current_setting('jit')",
    "select set_config('jit'",
)


async def compare_sql(dataset: Dataset) -> dict[str, str]:
    """Per statement, where the ceiling's SQL differs from the service's ('' if the same)."""
    settings = Settings(database_url=dataset.url)
    engine = create_engine(settings, dataset.url)
    statements: list[str] = []

    def record(*arguments: Any) -> None:  # (connection, cursor, statement, ...)
        statements.append(str(arguments[2]))

    def record_driver(query: Any) -> None:  # the reads that skip the ORM
        if not query.query.lstrip().lower().startswith(DRIVER_OWN_STATEMENTS):
            statements.append(query.query)

    def log_driver(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(record_driver)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    event.listen(engine.sync_engine, "checkout", log_driver)

    async def last_statement(call: Awaitable[object]) -> str:
        statements.clear()
        await call
        await asyncio.sleep(0)  # the driver reports statements on the next loop turn
        return statements[-1] if statements else ""

    user = dataset.bench_users[0]
    listing = UUID(dataset.listing_ids[0])
    filtered = ListingFilters(
        city=FILTERED["city"],
        kind=PropertyKind(FILTERED["kind"]),
        min_bedrooms=int(FILTERED["min_bedrooms"]),
    )
    price = ListingSort.PRICE_ASC
    try:
        async with create_sessionmaker(engine)() as session:
            listings = RealEstateRepository(Database.over(session))
            sessions = AuthSessionRepository(Database.over(session))
            limit = PAGE_SIZE + 1
            new_session = AuthSession(user_id=user.id)
            now = datetime.now(UTC)
            service = {
                "by_id": await last_statement(listings.get(listing)),
                "search": await last_statement(
                    listings.search(filtered, sort=price, after=None, limit=limit)
                ),
                "search_deep": await last_statement(
                    listings.search(filtered, sort=price, after=(DEEP_KEY, listing), limit=limit)
                ),
                "full_text": await last_statement(
                    listings.search(
                        ListingFilters(q=FULL_TEXT["q"]),
                        sort=ListingSort.NEWEST,
                        after=None,
                        limit=limit,
                    )
                ),
                "users_me": await last_statement(
                    sessions.active_user(user_id=user.id, session_id=user.session_id)
                ),
                "sign_in (user by CPF)": await last_statement(
                    UserRepository(Database.over(session)).get_by_cpf(Cpf(user.cpf))
                ),
                "sign_in (purge ended sessions)": await last_statement(
                    sessions.purge_ended(refreshed_before=now, created_before=now, user_id=user.id)
                ),
                "sign_in (new session)": await last_statement(sessions.add(new_session)),
                "sign_in (refresh token)": await last_statement(
                    sessions.add_refresh_token(digest=bytes(32), session_id=new_session.id)
                ),
            }
            await session.rollback()
    finally:
        await engine.dispose()
    deep = {**FILTERED, "cursor": encode_cursor(DEEP_KEY, listing)}
    ceiling = {
        "by_id": SQL_LISTING,
        "search": search_sql(dict(FILTERED))[0],
        "search_deep": search_sql(deep)[0],
        "full_text": search_sql(dict(FULL_TEXT))[0],
        "users_me": SQL_ACTIVE_USER,
        "sign_in (user by CPF)": SQL_USER_BY_CPF,
        "sign_in (purge ended sessions)": SQL_PURGE_ENDED_SESSIONS,
        "sign_in (new session)": SQL_ADD_SESSION,
        "sign_in (refresh token)": SQL_ADD_REFRESH_TOKEN,
    }
    return {name: _difference(service[name], ceiling[name]) for name in service}
