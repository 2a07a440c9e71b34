"""Data access for users."""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from uuid import UUID

from result import Err, Ok, Result
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError

from app.core.config.db.errors import violated_constraint
from app.core.config.db.keyset import keyset
from app.features.shared.cpf import Cpf
from app.features.shared.repository import Repository
from app.features.users.exceptions import UserAlreadyExists, UserNotFound
from app.features.users.model import Role, User

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
        self, *, role: Role | None, after: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[User]:
        """Up to `limit` users in sign-up order, starting after the `(created_at, id)` key."""
        query = select(User).order_by(User.created_at, User.id).limit(limit)
        if role is not None:
            query = query.where(User.role == role)
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
