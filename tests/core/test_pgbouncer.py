"""DATABASE_PGBOUNCER: the service works behind a real PgBouncer in transaction pooling mode.

PgBouncer gets two server connections for the five client connections of an engine,
so consecutive transactions of one client may run on different server connections,
and a statement one client prepared is there for another. The controls run the same
workloads without the setting and see prepared statements break: the tests do reach
the problem.
"""

import asyncio
import itertools
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util import greenlet_spawn

from app.core.config.db.engine import (
    create_engine,
    create_read_sessionmaker,
    create_sessionmaker,
)
from app.core.config.settings import Environment, Settings
from app.features.shared.cpf import cpf_from_number
from app.features.users.model import User
from app.main import create_app
from tests import pgbouncer
from tests.conftest import PASSWORD, TEST_JWT_SECRET, bearer
from tests.database import asyncpg_dsn, migrated_database
from tests.pgbouncer import running_pgbouncer

SERVER_CONNECTIONS = 2
CLIENT_CONNECTIONS = 5
TASKS = 50
ROUNDS = 3
SEEDED = 10
RAW_READ = "SELECT name FROM users WHERE id = $1"
# Of the driver's own prepared statements, which the setting makes unnecessary.
PREPARED_STATEMENT_ERROR = 'prepared statement "__asyncpg_'

_cpf_numbers = itertools.count(810_000_000)


@pytest.fixture(scope="module")
def direct_url(server_url: str) -> Iterator[str]:
    """A database of this module's own: its tests commit for real."""
    with migrated_database(server_url) as url:
        yield url


@pytest.fixture(scope="module")
def pgbouncer_url(direct_url: str) -> Iterator[str]:
    """The database through PgBouncer in transaction pooling mode."""
    with running_pgbouncer(direct_url, server_connections=SERVER_CONNECTIONS) as url:
        yield url


@pytest.fixture(scope="module")
async def seeded(direct_url: str) -> dict[UUID, str]:
    """Users inserted straight into PostgreSQL: id to name."""
    names = {uuid4(): f"Seeded {n}" for n in range(SEEDED)}
    connection = await asyncpg.connect(asyncpg_dsn(direct_url))
    try:
        await connection.executemany(
            "INSERT INTO users (id, name, cpf, password_hash, role)"
            " VALUES ($1, $2, $3, '-', 'collector')",
            [
                (user_id, name, cpf_from_number(next(_cpf_numbers)))
                for user_id, name in names.items()
            ],
        )
    finally:
        await connection.close()
    return names


def through_pgbouncer(url: str, *, database_pgbouncer: bool) -> Settings:
    """Settings of a small pool over `url`."""
    return Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=SecretStr(url),
        database_pool_size=CLIENT_CONNECTIONS,
        database_max_overflow=0,
        database_pgbouncer=database_pgbouncer,
        jwt_secret=SecretStr(TEST_JWT_SECRET),
        rate_limit_enabled=False,
    )


@pytest.fixture
async def engine_for(pgbouncer_url: str) -> AsyncIterator[Callable[[bool], AsyncEngine]]:
    """Build the app's engine over PgBouncer, with or without the setting; disposed after."""
    engines: list[AsyncEngine] = []

    def build(database_pgbouncer: bool) -> AsyncEngine:
        settings = through_pgbouncer(pgbouncer_url, database_pgbouncer=database_pgbouncer)
        engines.append(create_engine(settings, pgbouncer_url))
        return engines[-1]

    yield build
    for engine in engines:
        await engine.dispose()


async def failures_of(task: Callable[[int], Awaitable[None]]) -> list[BaseException]:
    """Run `task` TASKS times at once, ROUNDS times over; what it raised."""
    failures: list[BaseException] = []
    for _ in range(ROUNDS):
        outcomes = await asyncio.gather(*(task(n) for n in range(TASKS)), return_exceptions=True)
        failures += [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    return failures


def orm_round_trip(engine: AsyncEngine) -> Callable[[int], Awaitable[None]]:
    """Write a user in a transaction, read it back as the app reads (autocommit)."""
    writes, reads = create_sessionmaker(engine), create_read_sessionmaker(engine)

    async def round_trip(n: int) -> None:
        user = User(name=f"Pooled {n}", cpf=cpf_from_number(next(_cpf_numbers)), password_hash="-")
        async with writes() as session, session.begin():
            session.add(user)
        async with reads() as session:
            found = await session.scalar(select(User).where(User.id == user.id))
        assert found is not None
        assert (found.id, found.name, found.cpf) == (user.id, user.name, user.cpf)

    return round_trip


def raw_read(engine: AsyncEngine, seeded: dict[UUID, str]) -> Callable[[int], Awaitable[None]]:
    """Read a seeded user's name on the asyncpg connection of a pooled connection."""
    ids = list(seeded)

    async def read(n: int) -> None:
        user_id = ids[n % len(ids)]
        connection = await engine.raw_connection()
        try:
            driver = connection.driver_connection
            assert driver is not None
            row = await driver.fetchrow(RAW_READ, user_id)
        finally:
            await greenlet_spawn(connection.close)
        assert row is not None
        assert row["name"] == seeded[user_id]

    return read


def assert_all_passed(failures: list[BaseException]) -> None:
    assert not failures, f"{len(failures)} of {TASKS * ROUNDS} failed, e.g. {failures[0]!r}"


def assert_prepared_statements_broke(failures: list[BaseException]) -> None:
    # Colliding statements may fail in other ways too (a bind of the wrong types).
    assert any(PREPARED_STATEMENT_ERROR in str(failure) for failure in failures), failures[:3]


async def test_client_connections_share_a_few_server_connections(pgbouncer_url: str) -> None:
    async def backends_seen(client: asyncpg.Connection) -> set[int]:
        return {await client.fetchval("SELECT pg_backend_pid()") for _ in range(4)}

    dsn = asyncpg_dsn(pgbouncer_url)
    clients = [
        await asyncpg.connect(dsn, statement_cache_size=0) for _ in range(CLIENT_CONNECTIONS)
    ]
    try:
        seen = await asyncio.gather(*(backends_seen(client) for client in clients))
    finally:
        await asyncio.gather(*(client.close() for client in clients))

    assert 1 <= len(set().union(*seen)) <= SERVER_CONNECTIONS < len(clients)


async def test_orm_reads_and_writes_work_with_the_setting(
    engine_for: Callable[[bool], AsyncEngine],
) -> None:
    assert_all_passed(await failures_of(orm_round_trip(engine_for(True))))


async def test_raw_driver_reads_work_with_the_setting(
    engine_for: Callable[[bool], AsyncEngine], seeded: dict[UUID, str]
) -> None:
    assert_all_passed(await failures_of(raw_read(engine_for(True), seeded)))


async def test_control_orm_reads_and_writes_break_without_the_setting(
    engine_for: Callable[[bool], AsyncEngine],
) -> None:
    assert_prepared_statements_broke(await failures_of(orm_round_trip(engine_for(False))))


async def test_control_raw_driver_reads_break_without_the_setting(
    engine_for: Callable[[bool], AsyncEngine], seeded: dict[UUID, str]
) -> None:
    assert_prepared_statements_broke(await failures_of(raw_read(engine_for(False), seeded)))


async def test_control_unique_statement_names_are_not_enough_for_autocommit_reads(
    pgbouncer_url: str,
) -> None:
    # The recipe of SQLAlchemy's asyncpg documentation: no collisions, but an autocommit
    # read prepares and executes in two round trips, which may reach two server connections.
    engine = create_async_engine(
        pgbouncer_url,
        pool_size=CLIENT_CONNECTIONS,
        max_overflow=0,
        connect_args={
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": lambda: f"__asyncpg_{uuid4()}__",
        },
    )
    try:
        assert_prepared_statements_broke(await failures_of(orm_round_trip(engine)))
    finally:
        await engine.dispose()


async def test_the_app_signs_up_and_reads_users_back_through_pgbouncer(pgbouncer_url: str) -> None:
    app = create_app(through_pgbouncer(pgbouncer_url, database_pgbouncer=True))

    async def sign_up_and_read_back(client: httpx.AsyncClient, n: int) -> None:
        cpf, name = cpf_from_number(next(_cpf_numbers)), f"Bouncer {n}"
        created = await client.post(
            "/api/v1/users", json={"name": name, "cpf": cpf, "password": PASSWORD}
        )
        assert created.status_code == 201, created.text
        signed_in = await client.post("/api/v1/sign-in", json={"cpf": cpf, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        me = await client.get("/api/v1/users/me", headers=bearer(signed_in.json()["access_token"]))
        assert me.status_code == 200, me.text
        assert (me.json()["id"], me.json()["name"], me.json()["cpf"]) == (
            created.json()["id"],
            name,
            cpf,
        )

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await asyncio.gather(*(sign_up_and_read_back(client, n) for n in range(6)))
            ready = await client.get("/health/ready")
            listings = await client.get("/api/v1/real-estates", params={"limit": 5})

    assert ready.status_code == 200, ready.text
    assert listings.status_code == 200, listings.text


def test_a_missing_pgbouncer_fails_saying_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda *_, **__: None)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)

    with pytest.raises(pytest.fail.Exception, match="apt-get install -y pgbouncer"):
        pgbouncer.pgbouncer_executable()


def test_root_installs_a_missing_pgbouncer_with_apt_get(monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[list[str]] = []

    def apt_get(command: list[str], **_: object) -> None:
        installed.append(command)

    def which(name: str, path: str | None = None) -> str | None:
        if name == "apt-get":
            return "/usr/bin/apt-get"
        return "/usr/sbin/pgbouncer" if installed else None

    monkeypatch.setattr(shutil, "which", which)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(subprocess, "run", apt_get)

    assert pgbouncer.pgbouncer_executable() == "/usr/sbin/pgbouncer"
    assert installed[-1][:3] == ["apt-get", "install", "-y"]
    assert "pgbouncer" in installed[-1]
