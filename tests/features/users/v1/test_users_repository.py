"""UserRepository against a real PostgreSQL: lookups, conflicts, writes and keyset pages."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from result import Err, Ok
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.auth.model import AuthSession
from app.features.shared.cpf import Cpf
from app.features.users.exceptions import UserAlreadyExists, UserNotFound
from app.features.users.model import Role, User
from app.features.users.repository import UserRepository
from app.features.users.search import UserSearch
from tests.conftest import cpf_from_seed

START = datetime(2024, 1, 1, tzinfo=UTC)


def new_user(
    seed: int,
    *,
    role: Role = Role.COLLECTOR,
    email: str | None = None,
    created_at: datetime | None = None,
) -> User:
    """An unsaved user with a valid CPF derived from `seed` (1..99)."""
    user = User(
        name=f"User {seed:02d}",
        cpf=cpf_from_seed(seed),
        password_hash="not-a-real-hash",
        role=role,
        email=email,
    )
    if created_at is not None:
        user.created_at = created_at
    return user


async def count_users(session: AsyncSession) -> int:
    """Rows in the users table, straight from the database."""
    return await session.scalar(select(func.count()).select_from(User)) or 0


async def add_all(repository: UserRepository, *users: User) -> list[User]:
    """Insert `users` through the repository, failing the test on a conflict."""
    return [(await repository.add(user)).unwrap() for user in users]


async def test_get_returns_the_user_with_that_id(user_repository: UserRepository) -> None:
    [user] = await add_all(user_repository, new_user(1))

    found = await user_repository.get(user.id)

    assert found == Ok(user)


async def test_get_of_an_unknown_id_is_user_not_found(user_repository: UserRepository) -> None:
    found = await user_repository.get(uuid4())

    assert found == Err(UserNotFound())


async def test_get_by_cpf_finds_the_holder_of_the_digits(user_repository: UserRepository) -> None:
    [user] = await add_all(user_repository, new_user(1))

    found = await user_repository.get_by_cpf(cpf_from_seed(1))
    missing = await user_repository.get_by_cpf(cpf_from_seed(2))

    assert found == Ok(user)
    assert missing == Err(UserNotFound())


async def test_add_inserts_the_row(user_repository: UserRepository, session: AsyncSession) -> None:
    added = await user_repository.add(new_user(1, email="ana@example.com"))

    assert isinstance(added, Ok)
    row = (await session.execute(select(User.cpf, User.email, User.role))).one()
    assert tuple(row) == (cpf_from_seed(1), "ana@example.com", Role.COLLECTOR)


async def test_add_refuses_a_taken_cpf_and_leaves_the_session_usable(
    user_repository: UserRepository, session: AsyncSession
) -> None:
    await add_all(user_repository, new_user(1))

    duplicate = await user_repository.add(new_user(1))

    assert duplicate == Err(UserAlreadyExists("An account with this CPF already exists."))
    await add_all(user_repository, new_user(2))
    assert await count_users(session) == 2


async def test_add_refuses_a_taken_email_and_leaves_the_session_usable(
    user_repository: UserRepository, session: AsyncSession
) -> None:
    await add_all(user_repository, new_user(1, email="ana@example.com"))

    duplicate = await user_repository.add(new_user(2, email="ana@example.com"))

    assert duplicate == Err(UserAlreadyExists("An account with this e-mail already exists."))
    await add_all(user_repository, new_user(3, email="bia@example.com"))
    assert await count_users(session) == 2


async def test_update_writes_the_changes_of_a_loaded_user(
    user_repository: UserRepository, session: AsyncSession
) -> None:
    [user] = await add_all(user_repository, new_user(1))

    saved = await user_repository.update(user, {"name": "Renamed User", "role": Role.ADMIN})

    assert saved == Ok(user)
    row = (await session.execute(select(User.name, User.role).where(User.id == user.id))).one()
    assert tuple(row) == ("Renamed User", Role.ADMIN)


async def test_update_refuses_an_email_taken_by_someone_else(
    user_repository: UserRepository,
) -> None:
    _, second = await add_all(user_repository, new_user(1, email="ana@example.com"), new_user(2))

    saved = await user_repository.update(second, {"email": "ana@example.com"})

    assert saved == Err(UserAlreadyExists("An account with this e-mail already exists."))


async def test_update_refusing_a_taken_email_leaves_the_session_usable(
    user_repository: UserRepository, session: AsyncSession
) -> None:
    _, second = await add_all(user_repository, new_user(1, email="ana@example.com"), new_user(2))

    await user_repository.update(second, {"email": "ana@example.com"})

    emails = await session.scalars(select(User.email).order_by(User.cpf))
    assert emails.all() == ["ana@example.com", None]


async def test_delete_removes_the_user_and_their_sessions(
    user_repository: UserRepository, session: AsyncSession
) -> None:
    kept, gone = await add_all(user_repository, new_user(1), new_user(2))
    session.add(AuthSession(user_id=gone.id))
    await session.flush()

    await user_repository.delete(gone)

    assert (await session.scalars(select(User.id))).all() == [kept.id]
    sessions = await session.scalar(
        select(func.count()).select_from(AuthSession).where(AuthSession.user_id == gone.id)
    )
    assert sessions == 0


async def test_count_admins_counts_only_admins(user_repository: UserRepository) -> None:
    await add_all(
        user_repository,
        new_user(1, role=Role.ADMIN),
        new_user(2),
        new_user(3, role=Role.ADMIN),
    )

    admins = await user_repository.count_admins()

    assert admins == 2


async def test_list_page_orders_by_sign_up_time_then_id(user_repository: UserRepository) -> None:
    late = new_user(1, created_at=START + timedelta(minutes=2))
    tie_a = new_user(2, created_at=START + timedelta(minutes=1))
    tie_b = new_user(3, created_at=START + timedelta(minutes=1))
    early = new_user(4, created_at=START)
    await add_all(user_repository, late, tie_a, tie_b, early)
    tied = sorted([tie_a, tie_b], key=lambda user: user.id)

    page = await user_repository.list_page(role=None, after=None, limit=10)

    assert [user.id for user in page] == [early.id, tied[0].id, tied[1].id, late.id]


async def test_list_page_returns_at_most_limit_users(user_repository: UserRepository) -> None:
    users = [new_user(seed, created_at=START + timedelta(minutes=seed)) for seed in range(1, 5)]
    await add_all(user_repository, *users)

    page = await user_repository.list_page(role=None, after=None, limit=3)

    assert [user.id for user in page] == [user.id for user in users[:3]]


async def test_list_page_filters_by_role(user_repository: UserRepository) -> None:
    admin = new_user(1, role=Role.ADMIN, created_at=START)
    collector = new_user(2, created_at=START + timedelta(minutes=1))
    other_admin = new_user(3, role=Role.ADMIN, created_at=START + timedelta(minutes=2))
    await add_all(user_repository, admin, collector, other_admin)

    admins = await user_repository.list_page(role=Role.ADMIN, after=None, limit=10)
    collectors = await user_repository.list_page(role=Role.COLLECTOR, after=None, limit=10)

    assert [user.id for user in admins] == [admin.id, other_admin.id]
    assert [user.id for user in collectors] == [collector.id]


async def test_list_page_resumes_strictly_after_the_keyset_position(
    user_repository: UserRepository,
) -> None:
    users = [new_user(seed, created_at=START + timedelta(minutes=seed)) for seed in range(1, 5)]
    await add_all(user_repository, *users)
    position: tuple[datetime, UUID] = (users[1].created_at, users[1].id)

    page = await user_repository.list_page(role=None, after=position, limit=10)

    assert [user.id for user in page] == [users[2].id, users[3].id]


async def test_list_page_breaks_created_at_ties_by_id_when_resuming(
    user_repository: UserRepository,
) -> None:
    tied = [new_user(seed, created_at=START) for seed in range(1, 4)]
    await add_all(user_repository, *tied)
    ordered = sorted(tied, key=lambda user: user.id)

    page = await user_repository.list_page(role=None, after=(START, ordered[0].id), limit=10)

    assert [user.id for user in page] == [ordered[1].id, ordered[2].id]


async def test_list_page_finds_a_name_prefix_in_any_case_or_one_cpf(
    user_repository: UserRepository, session: AsyncSession
) -> None:
    users = await add_all(user_repository, *(new_user(seed) for seed in (1, 2, 3)))
    users[0].name, users[1].name, users[2].name = "Ana Souza", "ANABELA Reis", "Mariana"
    await session.flush()

    by_name = await user_repository.list_page(
        role=None, after=None, limit=10, search=UserSearch(name_prefix="anA")
    )
    by_cpf = await user_repository.list_page(
        role=None, after=None, limit=10, search=UserSearch(cpf=Cpf(users[2].cpf))
    )
    wildcard = await user_repository.list_page(
        role=None, after=None, limit=10, search=UserSearch(name_prefix="%a")
    )

    assert [user.name for user in by_name] == ["Ana Souza", "ANABELA Reis"]
    assert [user.id for user in by_cpf] == [users[2].id]
    assert wildcard == []
