"""Auth dependencies: the auth service, the caller's identity and role guards."""

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import OAuth2PasswordBearer
from result import Err

from app.core.config.dependencies import database_of
from app.core.errors.catalogue import Forbidden, InvalidToken, NotAuthenticated
from app.core.errors.results import ok_or_raise
from app.core.openapi import NO_STORE
from app.features.auth.service import AuthService, Principal
from app.features.users.model import Role, User
from app.routers.dependencies import components_of
from app.wiring import build_auth_service

BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}
SIGNED_IN_PROBLEMS = (NotAuthenticated, InvalidToken)
ADMIN_PROBLEMS = (*SIGNED_IN_PROBLEMS, Forbidden)

bearer_token = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token",
    auto_error=False,
    description="Sign in with your CPF as username; Swagger UI's Authorize button does it.",
)


async def get_auth_service(request: Request) -> AuthService:
    """The auth service over this request's database."""
    return build_auth_service(database_of(request), components_of(request))


AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]
BearerTokenDep = Annotated[str | None, Depends(bearer_token)]

# The guards below call one another as plain functions rather than depending on each
# other: every signed-in request resolves one of them, and each dependency FastAPI
# resolves costs per request. Each still depends on `bearer_token` itself, which is
# what puts the scheme in the OpenAPI document.


async def get_principal(request: Request, token: BearerTokenDep) -> Principal:
    """The signed-in caller; a missing or invalid token is a 401 problem."""
    if token is None:
        raise NotAuthenticated(headers=BEARER_CHALLENGE)
    auth = await get_auth_service(request)
    result = await auth.authenticate(token)
    if isinstance(result, Err):
        result.err_value.headers.update(BEARER_CHALLENGE)
    principal = ok_or_raise(result)
    request.scope.setdefault("state", {})["user_id"] = str(principal.user.id)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_optional_user(request: Request, token: BearerTokenDep) -> User | None:
    """The signed-in user when a token is sent (it must be valid), else None."""
    if token is None:
        return None
    return await get_current_user(request, token)


OptionalUserDep = Annotated[User | None, Depends(get_optional_user)]


async def get_current_user(request: Request, token: BearerTokenDep) -> User:
    """The signed-in user."""
    principal = await get_principal(request, token)
    return principal.user


CurrentUserDep = Annotated[User, Depends(get_current_user)]


async def get_admin(request: Request, token: BearerTokenDep) -> User:
    """The signed-in user, who must be an admin (403 problem otherwise)."""
    user = await get_current_user(request, token)
    if user.role is not Role.ADMIN:
        raise Forbidden("Only admins may do this.")
    return user


AdminDep = Annotated[User, Depends(get_admin)]


def no_store(response: Response) -> None:
    """Forbid caches to keep the response: it carries an access token (RFC 6749 §5.1)."""
    response.headers[NO_STORE.name] = "no-store"
