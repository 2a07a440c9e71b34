"""Fixtures: a real PostgreSQL, one rolled-back transaction per test, the app and its client."""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from app.core.config.db.database import Database
from app.core.config.settings import Environment, Settings
from app.features.shared.cpf import Cpf, cpf_from_number
from app.features.users.model import Role, User
from app.features.users.repository import UserRepository
from app.features.users.service import UserService
from app.main import create_app
from app.wiring import Components, build_user_service
from tests.database import migrated_database, postgres_server
from tests.s3_server import S3Server, s3_server

PASSWORD = "a long odd phrase"
TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """The PostgreSQL server of this run (see tests/database.py for where it comes from)."""
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A freshly migrated database for this run (upgrade from empty to head)."""
    with migrated_database(server_url) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of the app under test, independent of the developer's environment.

    Photos go to a temporary directory (the local backend) unless `S3_BUCKET` is set.
    """
    return Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=SecretStr(database_url),
        photo_storage_dir=tmp_path_factory.mktemp("photos"),
        jwt_secret=SecretStr(TEST_JWT_SECRET),
        # Tests sign in hundreds of times from one address; the rate-limit tests turn
        # limits on in apps of their own (tests/features/auth/v1/test_rate_limits_*).
        rate_limit_enabled=False,
    )


@pytest.fixture(scope="session")
def components(settings: Settings) -> Components:
    """The app's long-lived collaborators, built once for the run."""
    return Components.from_settings(settings)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine over the test database."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside a transaction that is rolled back after the test.

    Commits made by services become savepoint releases, so nothing leaks into the next test.
    """
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            autoflush=False,
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@pytest.fixture
def app(settings: Settings, components: Components, session: AsyncSession) -> Any:
    """The application, wired to the test's session."""
    application = create_app(settings)
    application.state.components = components

    application.state.open_database = lambda _request: Database.over(session)
    return application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http_client:
        yield http_client


@pytest.fixture
def user_repository(session: AsyncSession) -> UserRepository:
    """The user repository over the test session."""
    return UserRepository(Database.over(session))


@pytest.fixture
def user_service(session: AsyncSession, components: Components) -> UserService:
    """The user service over the test session, wired by the composition root."""
    return build_user_service(Database.over(session), components)


MakeUser = Callable[..., Awaitable[User]]


@pytest.fixture
def make_user(user_service: UserService) -> MakeUser:
    """Create users with valid, distinct CPFs; admins through the admin use case."""
    counter = iter(range(10_000))

    async def _make_user(
        *, name: str = "Test User", role: Role = Role.COLLECTOR, email: str | None = None
    ) -> User:
        cpf = cpf_from_seed(next(counter) + 100)
        if role is Role.ADMIN:
            admin = await user_service.create_admin(name=name, cpf=cpf, password=PASSWORD)
            return admin.unwrap().user
        result = await user_service.sign_up(name=name, cpf=cpf, password=PASSWORD, email=email)
        return result.unwrap()

    return _make_user


def cpf_from_seed(seed: int) -> Cpf:
    """A valid CPF (11 digits) derived from `seed`."""
    return cpf_from_number(seed)


MakeToken = Callable[[User], Awaitable[str]]


@pytest.fixture
def sign_in(client: httpx.AsyncClient) -> MakeToken:
    """Sign a user in through the API and return the access token."""

    async def _sign_in(user: User) -> str:
        response = await client.post(
            "/api/v1/sign-in", json={"cpf": user.cpf, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    return _sign_in


def bearer(token: str) -> dict[str, str]:
    """Authorization header for `token`."""
    return {"Authorization": f"Bearer {token}"}


PROBLEM = "application/problem+json"


def assert_problem(
    response: httpx.Response, status: int, code: str, instance: str
) -> dict[str, Any]:
    """Check that `response` is the problem document `code`, answering `instance`; its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["instance"] == instance
    return body


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    """A real S3 API (moto's server, in process) with an empty bucket, for the run."""
    with s3_server() as server:
        yield server
