"""The app under contract test: real lifespan and pool over a scratch database of its own.

Schemathesis calls the ASGI app from an event loop of its own (a thread it owns), so the
app cannot share the rolled-back session of the other tests; it gets a freshly migrated
database instead, dropped at the end, so nothing it writes reaches another test.
"""

import asyncio
import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from schemathesis.python import asgi
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from app.core.config.db.database import Database
from app.core.config.settings import Settings
from app.features.shared.cpf import cpf_from_number
from app.main import create_app
from app.wiring import Components, build_user_service
from tests.conftest import PASSWORD
from tests.database import migrated_database

_TOUCHED_LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "app.errors")
# CPFs of the accounts this suite makes; far from those of the other fixtures.
_CPF_SEEDS = itertools.count(700_000_000)


@pytest.fixture(scope="package")
def contract_settings(server_url: str, settings: Settings) -> Iterator[Settings]:
    """The test settings over a database of the contract suite's own."""
    with migrated_database(server_url) as url:
        yield settings.model_copy(update={"database_url": SecretStr(url)})


@pytest.fixture(scope="package")
def contract_app(contract_settings: Settings) -> Iterator[FastAPI]:
    """The application as it serves requests: lifespan, pool and all."""
    loggers = [logging.getLogger(name or None) for name in _TOUCHED_LOGGERS]
    saved = [(lg.handlers[:], lg.propagate, lg.disabled, lg.level) for lg in loggers]
    app = create_app(contract_settings)
    # Schemathesis' pytest plugin ends every ASGI lifespan after each test; this app keeps
    # its one lifespan (pool, hasher) for the whole suite, and ends it before the database
    # goes, so the pool closes its own connections.
    shutdown = asgi.shutdown_lifespans
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(asgi, "shutdown_lifespans", lambda: None)
        try:
            yield app
        finally:
            shutdown()
        for logger, (handlers, propagate, disabled, level) in zip(loggers, saved, strict=True):
            logger.handlers[:] = handlers
            logger.propagate = propagate
            logger.disabled = disabled
            logger.setLevel(level)


async def _create_admin(settings: Settings, name: str) -> str:
    """Create an admin through the use case the CLI uses; its CPF."""
    assert settings.database_url is not None
    engine = create_async_engine(settings.database_url.get_secret_value(), poolclass=NullPool)
    cpf = cpf_from_number(next(_CPF_SEEDS))
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            users = build_user_service(Database.over(session), Components.from_settings(settings))
            (await users.create_admin(name=name, cpf=cpf, password=PASSWORD)).unwrap()
    finally:
        await engine.dispose()
    return cpf


@dataclass
class Identity:
    """Who sends the fuzzed requests: a bearer token, made again when the fuzzing spent it.

    A fuzzed request may delete the account, end its sessions or change its password;
    the next request then gets a fresh account of the same role.
    """

    name: str
    provision: Callable[[], str | None]
    _token: str | None = field(default=None, init=False)

    def headers(self) -> dict[str, str]:
        """The Authorization header of this identity (none for the anonymous one)."""
        if self._token is None:
            self._token = self.provision()
        return {} if self._token is None else {"Authorization": f"Bearer {self._token}"}

    def forget(self) -> None:
        """Make the next request sign in (and, if need be, sign up) again."""
        self._token = None


# Operations whose success can leave this identity's token or account unusable.
SPENDS_IDENTITY = frozenset(
    {
        "deleteMyAccount",
        "changeMyPassword",
        "endMyOtherSessions",
        "endMySession",
        "endUserSessions",
        "deleteUser",
        "signOut",
    }
)


def asgi_client(app: FastAPI) -> asgi.ASGIClient:
    """Schemathesis' in-process client of `app` (it types ASGI apps more narrowly)."""
    return asgi.get_client(app)  # type: ignore[arg-type]


def _signed_in(app: FastAPI, cpf: str) -> str:
    with asgi_client(app) as client:
        response = client.post("/api/v1/sign-in", json={"cpf": cpf, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _new_collector(app: FastAPI) -> str:
    cpf = cpf_from_number(next(_CPF_SEEDS))
    with asgi_client(app) as client:
        body = {"name": "Contract Collector", "cpf": cpf, "password": PASSWORD}
        response = client.post("/api/v1/users", json=body)
    assert response.status_code == 201, response.text
    return _signed_in(app, cpf)


@pytest.fixture(scope="package")
def identities(contract_app: FastAPI, contract_settings: Settings) -> dict[str, Identity]:
    """The three callers: anonymous, a collector and an admin."""

    def admin() -> str:
        cpf = asyncio.run(_create_admin(contract_settings, "Contract Admin"))
        return _signed_in(contract_app, cpf)

    return {
        "anonymous": Identity("anonymous", lambda: None),
        "collector": Identity("collector", lambda: _new_collector(contract_app)),
        "admin": Identity("admin", admin),
    }
