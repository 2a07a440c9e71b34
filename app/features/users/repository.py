"""Data access for users."""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from uuid import UUID

from result import Err, Ok, Result
from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.exc import IntegrityError

from app.core.config.db.errors import violated_constraint
from app.core.config.db.keyset import keyset
from app.features.shared.cpf import Cpf
from app.features.shared.repository import Repository
from app.features.users.exceptions import UserAlreadyExists, UserNotFound
from app.features.users.model import Role, User
from app.features.users.search import UserSearch

_CONFLICTS = {
    "uq_users_cpf": "An account with this CPF already exists.",
    "uq_users_email": "An account with this e-mail already exists.",
}


class UserRepository(Repository):
    """Reads and writes users. Never commits."""

    async def get(self, user_id: UUID) -> Result[User, UserNotFound]:
        """Find a user by id."""
        user = await self._session.get(User, user_id)
        return Ok(user) if user is not None else Err(UserNotFound())

    async def get_by_cpf(self, cpf: Cpf) -> Result[User, UserNotFound]:
        """Find a user by CPF (11 digits)."""
        user = await self._session.scalar(select(User).where(User.cpf == cpf))
        return Ok(user) if user is not None else Err(UserNotFound())

    async def add(self, user: User) -> Result[User, UserAlreadyExists]:
        """Insert a user; a taken CPF or e-mail is an Err."""
        return await self._write(user, lambda: self._session.add(user))

    async def update(
        self, user: User, values: Mapping[str, object]
    ) -> Result[User, UserAlreadyExists]:
        """Set `values` on a loaded user and write them; a taken e-mail is an Err."""

        def assign() -> None:
            for name, value in values.items():
                setattr(user, name, value)

        return await self._write(user, assign)

    async def delete(self, user: User) -> None:
        """Remove a user (their sessions go with them)."""
        await self._session.delete(user)
        await self._session.flush()

    async def count_admins(self) -> int:
        """How many admins exist, locking them until commit.

        The lock makes two concurrent demotions wait for each other, so they cannot
        both see a second admin and leave none.
        """
        admin_ids = await self._session.scalars(
            select(User.id).where(User.role == Role.ADMIN).with_for_update()
        )
        return len(admin_ids.all())

    async def list_page(
        self,
        *,
        role: Role | None,
        after: tuple[datetime, UUID] | None,
        limit: int,
        search: UserSearch | None = None,
    ) -> Sequence[User]:
        """Up to `limit` users in sign-up order, starting after the `(created_at, id)` key.

        `search` narrows them to one CPF (its unique index) or to a name prefix,
        compared in lower case on both sides (`ix_users_name_lower`).
        """
        query = select(User).order_by(User.created_at, User.id).limit(limit)
        if role is not None:
            query = query.where(User.role == role)
        if search is not None and search.cpf is not None:
            query = query.where(User.cpf == search.cpf)
        elif search is not None and search.name_prefix is not None:
            pattern = func.lower(literal(_escape_like(search.name_prefix))) + "%"
            query = query.where(func.lower(User.name).like(pattern, escape="\\"))
        if after is not None:
            query = query.where(tuple_(User.created_at, User.id) > keyset(after))
        return (await self._session.scalars(query)).all()

    async def _write(
        self, user: User, change: Callable[[], None]
    ) -> Result[User, UserAlreadyExists]:
        # The change happens inside the savepoint, so a refused write rolls back to it
        # and the request's transaction stays usable.
        try:
            async with self._session.begin_nested():
                change()
                await self._session.flush()
        except IntegrityError as exc:
            if (constraint := violated_constraint(exc)) in _CONFLICTS:
                return Err(UserAlreadyExists(_CONFLICTS[constraint]))
            raise
        return Ok(user)


def _escape_like(text: str) -> str:
    """`text` matched literally by LIKE: its wildcards and the escape character escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
