"""UserService: sign-up, admins, profile changes, the last-admin rule and paged lists."""

from typing import Any
from uuid import UUID, uuid4

import pytest
from result import Err, Ok
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors.catalogue import InvalidCursor
from app.features.shared.cpf import cpf_from_number
from app.features.users.exceptions import (
    LastAdmin,
    PasswordRejected,
    UserAlreadyExists,
    UserNotFound,
)
from app.features.users.model import Role, User
from app.features.users.search import UserSearch
from app.features.users.service import AdminOutcome, UserService
from app.wiring import Components
from tests.conftest import PASSWORD, MakeUser, cpf_from_seed

CPF = cpf_from_seed(1)


async def stored(session: AsyncSession, user_id: UUID, *columns: Any) -> tuple[Any, ...] | None:
    """`columns` of a user's row as the database holds it now; None when there is no row."""
    query = select(*(columns or (User.id,))).where(User.id == user_id)
    row = (await session.execute(query)).one_or_none()
    return None if row is None else tuple(row)


async def test_sign_up_stores_a_collector_with_an_argon2id_hash(
    user_service: UserService, session: AsyncSession, components: Components
) -> None:
    result = await user_service.sign_up(
        name="Ana Lima", cpf=CPF, password=PASSWORD, email="ana@example.com"
    )

    user = result.unwrap()
    columns = (User.name, User.cpf, User.email, User.role)
    assert await stored(session, user.id, *columns) == (
        "Ana Lima",
        CPF,
        "ana@example.com",
        Role.COLLECTOR,
    )
    password_hash = await session.scalar(select(User.password_hash).where(User.id == user.id))
    assert password_hash is not None
    assert password_hash.startswith("$argon2id$")
    assert await components.hasher.verify(password_hash, PASSWORD)


@pytest.mark.parametrize(
    "password",
    ["seven77", "x" * 129, CPF, "529.982.247-25", "password123", "senha123", "PASSWORD123"],
    ids=["too-short", "too-long", "cpf", "formatted-cpf", "password123", "senha123", "case"],
)
async def test_sign_up_rejects_passwords_outside_the_policy(
    user_service: UserService, session: AsyncSession, password: str
) -> None:
    cpf = cpf_from_number(529982247) if password == "529.982.247-25" else CPF

    result = await user_service.sign_up(name="Ana Lima", cpf=cpf, password=password)

    assert isinstance(result, Err)
    assert isinstance(result.err_value, PasswordRejected)
    assert await session.scalar(select(User.id).where(User.cpf == cpf)) is None


async def test_sign_up_accepts_passwords_at_the_length_limits(user_service: UserService) -> None:
    shortest = await user_service.sign_up(name="Ana Lima", cpf=CPF, password="k9#vq!zw")
    longest = await user_service.sign_up(name="Bia Lima", cpf=cpf_from_seed(2), password="z" * 128)

    assert isinstance(shortest, Ok)
    assert isinstance(longest, Ok)


async def test_sign_up_refuses_a_taken_cpf(user_service: UserService) -> None:
    await user_service.sign_up(name="Ana Lima", cpf=CPF, password=PASSWORD)

    again = await user_service.sign_up(name="Bia Lima", cpf=CPF, password=PASSWORD)

    assert again == Err(UserAlreadyExists("An account with this CPF already exists."))


async def test_create_admin_creates_a_new_admin(
    user_service: UserService, session: AsyncSession
) -> None:
    result = await user_service.create_admin(name="Root Admin", cpf=CPF, password=PASSWORD)

    grant = result.unwrap()
    assert grant.outcome is AdminOutcome.CREATED
    assert await stored(session, grant.user.id, User.role, User.name) == (
        Role.ADMIN,
        "Root Admin",
    )


async def test_create_admin_promotes_an_existing_cpf_and_keeps_its_name_and_password(
    user_service: UserService, session: AsyncSession, components: Components
) -> None:
    collector = (await user_service.sign_up(name="Ana Lima", cpf=CPF, password=PASSWORD)).unwrap()
    old_hash = collector.password_hash

    result = await user_service.create_admin(name="Ignored", cpf=CPF, password="another phrase!")

    grant = result.unwrap()
    assert (grant.user.id, grant.outcome) == (collector.id, AdminOutcome.PROMOTED)
    assert await stored(session, collector.id, User.role, User.name, User.password_hash) == (
        Role.ADMIN,
        "Ana Lima",
        old_hash,
    )
    assert await components.hasher.verify(old_hash, PASSWORD)


async def test_create_admin_promotes_without_a_password(
    user_service: UserService, session: AsyncSession
) -> None:
    collector = (await user_service.sign_up(name="Ana Lima", cpf=CPF, password=PASSWORD)).unwrap()

    result = await user_service.create_admin(name="Ana Lima", cpf=CPF, password=None)

    assert isinstance(result, Ok)
    assert result.ok_value.outcome is AdminOutcome.PROMOTED
    assert await stored(session, collector.id, User.role) == (Role.ADMIN,)


async def test_create_admin_of_an_admin_changes_nothing_and_says_so(
    user_service: UserService, session: AsyncSession
) -> None:
    admin = (
        await user_service.create_admin(name="Root Admin", cpf=CPF, password=PASSWORD)
    ).unwrap()
    before = await stored(session, admin.user.id, User.role, User.name, User.password_hash)

    again = await user_service.create_admin(name="Other Name", cpf=CPF, password="another phrase!")

    grant = again.unwrap()
    assert (grant.user.id, grant.outcome) == (admin.user.id, AdminOutcome.ALREADY_ADMIN)
    after = await stored(session, admin.user.id, User.role, User.name, User.password_hash)
    assert after == before
    assert before is not None
    assert before[:2] == (Role.ADMIN, "Root Admin")


@pytest.mark.parametrize("password", [None, "password123", "short"])
async def test_create_admin_of_a_new_cpf_needs_an_acceptable_password(
    user_service: UserService, session: AsyncSession, password: str | None
) -> None:
    result = await user_service.create_admin(name="Root Admin", cpf=CPF, password=password)

    assert isinstance(result, Err)
    assert isinstance(result.err_value, PasswordRejected)
    assert await session.scalar(select(User.id).where(User.cpf == CPF)) is None


async def test_update_changes_name_email_and_role(
    user_service: UserService, make_user: MakeUser, session: AsyncSession
) -> None:
    user = await make_user()

    result = await user_service.update(
        user.id, {"name": "New Name", "email": "new@example.com", "role": Role.ADMIN}
    )

    assert isinstance(result, Ok)
    assert await stored(session, user.id, User.name, User.email, User.role) == (
        "New Name",
        "new@example.com",
        Role.ADMIN,
    )


async def test_update_with_email_none_removes_the_email(
    user_service: UserService, make_user: MakeUser, session: AsyncSession
) -> None:
    user = await make_user(email="old@example.com")

    result = await user_service.update(user.id, {"email": None})

    assert isinstance(result, Ok)
    assert await stored(session, user.id, User.name, User.email) == ("Test User", None)


async def test_update_of_an_unknown_user_is_user_not_found(user_service: UserService) -> None:
    result = await user_service.update(uuid4(), {"name": "New Name"})

    assert result == Err(UserNotFound())


async def test_update_refuses_to_demote_the_only_admin(
    user_service: UserService, make_user: MakeUser, session: AsyncSession
) -> None:
    admin = await make_user(role=Role.ADMIN)

    result = await user_service.update(admin.id, {"role": Role.COLLECTOR, "name": "New Name"})

    assert result == Err(LastAdmin())
    assert await stored(session, admin.id, User.role, User.name) == (Role.ADMIN, "Test User")


async def test_update_demotes_an_admin_when_another_remains(
    user_service: UserService, make_user: MakeUser, session: AsyncSession
) -> None:
    admin = await make_user(role=Role.ADMIN)
    await make_user(role=Role.ADMIN)

    result = await user_service.update(admin.id, {"role": Role.COLLECTOR})

    assert isinstance(result, Ok)
    assert await stored(session, admin.id, User.role) == (Role.COLLECTOR,)


async def test_delete_removes_the_user(
    user_service: UserService, make_user: MakeUser, session: AsyncSession
) -> None:
    user = await make_user()

    result = await user_service.delete(user.id)

    assert result == Ok(None)
    assert await stored(session, user.id) is None


async def test_delete_refuses_to_remove_the_only_admin(
    user_service: UserService, make_user: MakeUser, session: AsyncSession
) -> None:
    admin = await make_user(role=Role.ADMIN)

    result = await user_service.delete(admin.id)

    assert result == Err(LastAdmin())
    assert await stored(session, admin.id) is not None


async def test_delete_removes_an_admin_when_another_remains(
    user_service: UserService, make_user: MakeUser, session: AsyncSession
) -> None:
    admin = await make_user(role=Role.ADMIN)
    await make_user(role=Role.ADMIN)

    result = await user_service.delete(admin.id)

    assert result == Ok(None)
    assert await stored(session, admin.id) is None


async def test_delete_of_an_unknown_user_is_user_not_found(user_service: UserService) -> None:
    result = await user_service.delete(uuid4())

    assert result == Err(UserNotFound())


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 7])
async def test_list_users_pages_through_every_user_exactly_once_in_sign_up_order(
    user_service: UserService, make_user: MakeUser, limit: int
) -> None:
    users = [await make_user(role=Role.ADMIN if i == 2 else Role.COLLECTOR) for i in range(5)]
    seen: list[User] = []
    cursor: str | None = None

    while True:
        page = (await user_service.list_users(role=None, limit=limit, cursor=cursor)).unwrap()
        assert len(page.items) <= limit
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert [user.id for user in seen] == [user.id for user in users]


async def test_list_users_filters_by_role_across_pages(
    user_service: UserService, make_user: MakeUser
) -> None:
    roles = [Role.ADMIN, Role.COLLECTOR, Role.ADMIN, Role.COLLECTOR, Role.ADMIN]
    users = [await make_user(role=role) for role in roles]

    first = (await user_service.list_users(role=Role.ADMIN, limit=2, cursor=None)).unwrap()
    second = (
        await user_service.list_users(role=Role.ADMIN, limit=2, cursor=first.next_cursor)
    ).unwrap()

    admins = [user.id for user in users if user.role is Role.ADMIN]
    assert [user.id for user in first.items + second.items] == admins
    assert second.next_cursor is None


async def test_list_users_has_no_next_cursor_when_the_page_holds_the_rest(
    user_service: UserService, make_user: MakeUser
) -> None:
    for _ in range(2):
        await make_user()

    page = (await user_service.list_users(role=None, limit=2, cursor=None)).unwrap()

    assert len(page.items) == 2
    assert page.next_cursor is None


async def first_cursor(user_service: UserService, make_user: MakeUser, role: Role | None) -> str:
    """A valid next-page cursor for a list filtered by `role`."""
    for _ in range(2):
        await make_user(role=Role.ADMIN)
    cursor = (await user_service.list_users(role=role, limit=1, cursor=None)).unwrap().next_cursor
    assert cursor is not None
    return cursor


def tampered(cursor: str) -> str:
    """`cursor` with one payload character changed, keeping its signature."""
    payload, signature = cursor.split(".")
    swapped = "B" if payload[4] != "B" else "C"
    return f"{payload[:4]}{swapped}{payload[5:]}.{signature}"


@pytest.mark.parametrize(
    "make_cursor",
    ["garbage", "dots", "non-ascii", "tampered", "other-role", "unfiltered"],
)
async def test_list_users_refuses_unusable_cursors(
    user_service: UserService, make_user: MakeUser, make_cursor: str
) -> None:
    admin_cursor = await first_cursor(user_service, make_user, Role.ADMIN)
    cursor = {
        "garbage": "not-a-cursor",
        "dots": "a.b.c",
        "non-ascii": "çã.ü",
        "tampered": tampered(admin_cursor),
        "other-role": admin_cursor,
        "unfiltered": admin_cursor,
    }[make_cursor]
    role = {"other-role": Role.COLLECTOR, "unfiltered": None}.get(make_cursor, Role.ADMIN)

    result = await user_service.list_users(role=role, limit=1, cursor=cursor)

    assert isinstance(result, Err)
    assert isinstance(result.err_value, InvalidCursor)
    assert result.err_value.code == "INVALID_CURSOR"


async def test_list_users_binds_cursors_to_the_search(
    user_service: UserService, make_user: MakeUser
) -> None:
    for name in ("Ana Souza", "Anabela Reis", "Bruno Ana"):
        await make_user(name=name)
    search = UserSearch(name_prefix="ana")

    first = (await user_service.list_users(role=None, limit=1, cursor=None, search=search)).unwrap()
    rest = await user_service.list_users(
        role=None, limit=5, cursor=first.next_cursor, search=search
    )
    unsearched = await user_service.list_users(role=None, limit=5, cursor=first.next_cursor)

    assert [user.name for user in first.items] == ["Ana Souza"]
    assert [user.name for user in rest.unwrap().items] == ["Anabela Reis"]
    assert isinstance(unsearched, Err)
    assert isinstance(unsearched.err_value, InvalidCursor)
