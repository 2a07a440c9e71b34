"""Account use cases: sign-up, profiles, roles and the admin's user management."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from result import Err, Ok, Result
from typing_extensions import TypedDict

from app.core.errors.catalogue import InvalidCursor
from app.features.audit.model import AuditAction
from app.features.audit.repository import AuditRepository
from app.features.shared.cpf import Cpf
from app.features.shared.pagination import CursorCodec, Page, page_scope
from app.features.shared.unit_of_work import UnitOfWork
from app.features.shared.utils.password_hasher import PasswordHasher
from app.features.users.exceptions import (
    LastAdmin,
    PasswordRejected,
    UserAlreadyExists,
    UserNotFound,
)
from app.features.users.model import Role, User
from app.features.users.passwords import PasswordPolicy
from app.features.users.repository import UserRepository
from app.features.users.search import UserSearch


class UserChanges(TypedDict, total=False):
    """The fields a PATCH may change; absent keys stay as they are."""

    name: str
    email: str | None
    role: Role


class AdminOutcome(StrEnum):
    """What `UserService.create_admin` did."""

    CREATED = "created"
    PROMOTED = "promoted"
    ALREADY_ADMIN = "already_admin"


@dataclass(frozen=True)
class AdminGrant:
    """The admin account and what `UserService.create_admin` did to it."""

    user: User
    outcome: AdminOutcome


class UserService:
    """Account use cases. Every successful write commits once, as its last step."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        users: UserRepository,
        passwords: PasswordPolicy,
        hasher: PasswordHasher,
        cursors: CursorCodec,
        audit: AuditRepository,
    ) -> None:
        self._uow = uow
        self._users = users
        self._passwords = passwords
        self._hasher = hasher
        self._cursors = cursors
        self._audit = audit

    async def sign_up(
        self, *, name: str, cpf: Cpf, password: str, email: str | None = None
    ) -> Result[User, UserAlreadyExists | PasswordRejected]:
        """Register a new collector, or say why not."""
        if (refusal := self._passwords.refusal_for(password, cpf=cpf)) is not None:
            return Err(refusal)
        password_hash = await self._hasher.hash(password)
        user = User(name=name, cpf=cpf, password_hash=password_hash, email=email)
        created = await self._users.add(user)
        if created.is_ok():
            await self._uow.commit()
        return created

    async def create_admin(
        self, *, name: str, cpf: Cpf, password: str | None
    ) -> Result[AdminGrant, UserAlreadyExists | PasswordRejected]:
        """Create an admin, or promote the existing account with this CPF.

        An existing account keeps its name and password (`password` is not applied);
        one that already is an admin is left as it is. Creating needs a password.
        """
        existing = await self._users.get_by_cpf(cpf)
        if isinstance(existing, Ok) and existing.ok_value.role is Role.ADMIN:
            return Ok(AdminGrant(existing.ok_value, AdminOutcome.ALREADY_ADMIN))
        if isinstance(existing, Ok):
            saved = await self._users.update(existing.ok_value, {"role": Role.ADMIN})
            outcome = AdminOutcome.PROMOTED
        elif password is None:
            return Err(PasswordRejected("A new admin needs a password."))
        else:
            if (refusal := self._passwords.refusal_for(password, cpf=cpf)) is not None:
                return Err(refusal)
            password_hash = await self._hasher.hash(password)
            user = User(name=name, cpf=cpf, password_hash=password_hash, role=Role.ADMIN)
            saved = await self._users.add(user)
            outcome = AdminOutcome.CREATED
        if isinstance(saved, Err):
            return saved
        await self._uow.commit()
        return Ok(AdminGrant(saved.ok_value, outcome))

    async def get(self, user_id: UUID) -> Result[User, UserNotFound]:
        """One user by id."""
        return await self._users.get(user_id)

    async def update(
        self, user_id: UUID, changes: UserChanges
    ) -> Result[User, UserNotFound | UserAlreadyExists | LastAdmin]:
        """Apply `changes` to a user; demoting the last admin is refused."""
        found = await self._users.get(user_id)
        if isinstance(found, Err):
            return found
        user = found.ok_value
        demoting = user.role is Role.ADMIN and changes.get("role", Role.ADMIN) is not Role.ADMIN
        if demoting and await self._users.count_admins() <= 1:
            return Err(LastAdmin())
        before = user.role
        saved = await self._users.update(user, changes)
        if isinstance(saved, Ok):
            if saved.ok_value.role is not before:
                await self._audit.record(
                    AuditAction.ROLE_CHANGED,
                    target=f"user:{user_id}",
                    details={"from": before.value, "to": saved.ok_value.role.value},
                )
            await self._uow.commit()
        return saved

    async def delete(self, user_id: UUID) -> Result[None, UserNotFound | LastAdmin]:
        """Delete an account and its sessions; deleting the last admin is refused."""
        found = await self._users.get(user_id)
        if isinstance(found, Err):
            return found
        user = found.ok_value
        if user.role is Role.ADMIN and await self._users.count_admins() <= 1:
            return Err(LastAdmin())
        await self._users.delete(user)
        await self._audit.record(
            AuditAction.ACCOUNT_DELETED, target=f"user:{user_id}", details={"role": user.role.value}
        )
        await self._uow.commit()
        return Ok(None)

    async def list_users(
        self,
        *,
        role: Role | None,
        limit: int,
        cursor: str | None,
        search: UserSearch | None = None,
    ) -> Result[Page[User], InvalidCursor]:
        """A page of users in sign-up order, optionally only those with `role`, or `search`'s."""
        # Without a search, the scope is what it always was: cursors already out stay good.
        scope = page_scope("users", role=role)
        if search is not None:
            scope = page_scope("users", role=role, q=search.fingerprint())
        after = self._cursors.resume_after(cursor, scope=scope, parse_key=datetime.fromisoformat)
        if isinstance(after, Err):
            return after
        rows = await self._users.list_page(
            role=role, after=after.ok_value, limit=limit + 1, search=search
        )
        return Ok(
            self._cursors.page(
                rows, limit=limit, scope=scope, key=lambda user: (user.created_at, user.id)
            )
        )
