"""Builds the user service for a request."""

from typing import Annotated

from fastapi import Depends

from app.core.config.dependencies import ComponentsDep, SessionDep
from app.features.shared.unit_of_work import UnitOfWork
from app.features.users.repository import UserRepository
from app.features.users.service import UserService


def get_user_service(session: SessionDep, components: ComponentsDep) -> UserService:
    """Build the user service for this request."""
    return UserService(
        uow=UnitOfWork(session),
        users=UserRepository(session),
        passwords=components.passwords,
        hasher=components.hasher,
        cursors=components.cursors,
    )


UserServiceDep = Annotated[UserService, Depends(get_user_service)]
