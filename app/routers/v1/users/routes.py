"""User routes: sign-up, one's own profile, and the admin's user management."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from pydantic import AfterValidator

from app.core.errors.catalogue import InvalidCursor
from app.core.errors.openapi import problem_responses
from app.core.errors.results import ok_or_raise
from app.core.openapi import LOCATION, follows, merge_responses, sends
from app.features.auth.exceptions import InvalidCurrentPassword
from app.features.shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from app.features.users.exceptions import (
    LastAdmin,
    PasswordRejected,
    UserAlreadyExists,
    UserNotFound,
)
from app.features.users.model import Role
from app.features.users.search import UserSearch
from app.routers.responses import JSONDocument
from app.routers.v1.auth.dependencies import (
    ADMIN_PROBLEMS,
    SIGNED_IN_PROBLEMS,
    AdminDep,
    AuthServiceDep,
    CurrentUserDep,
    PrincipalDep,
)
from app.routers.v1.limits import SIGN_UP_LIMIT, limited_responses
from app.routers.v1.users.dependencies import UserServiceDep
from app.routers.v1.users.schemas import (
    PasswordChange,
    ProfileUpdate,
    UserAdminUpdate,
    UserCreate,
    UserPage,
    UserRead,
    user_document,
)
from app.routers.v1.validation import CURSOR_DESCRIPTION, Cursor

router = APIRouter(prefix="/users", tags=["users"])


def _user_search(value: str) -> str:
    # Refuses (422) a `q` with digits that are not a valid CPF; the route reads it again.
    UserSearch.parse(value)
    return value


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="signUp",
    summary="Create an account",
    dependencies=[SIGN_UP_LIMIT],
    responses=merge_responses(
        problem_responses(UserAlreadyExists, PasswordRejected),
        sends(201, LOCATION),
        limited_responses(201),
        # What an admin can do next with the account just made.
        follows(
            201,
            {
                operation: {"user_id": "$response.body#/id"}
                for operation in ("getUser", "updateUser", "deleteUser", "endUserSessions")
            },
        ),
    ),
)
async def sign_up(body: UserCreate, users: UserServiceDep, response: Response) -> UserRead:
    """Create a collector account. Anyone may call this."""
    user = ok_or_raise(
        await users.sign_up(
            name=body.name,
            cpf=body.cpf,
            password=body.password.get_secret_value(),
            email=body.email,
        )
    )
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return UserRead.model_validate(user)


@router.get(
    "/me",
    operation_id="getMyProfile",
    response_model=UserRead,
    summary="Show my profile",
    responses=problem_responses(*SIGNED_IN_PROBLEMS),
)
async def read_my_profile(user: CurrentUserDep) -> JSONDocument:
    """The signed-in user's profile."""
    return JSONDocument(user_document(user))


@router.patch(
    "/me",
    operation_id="updateMyProfile",
    summary="Update my profile",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, UserAlreadyExists, UserNotFound),
)
async def update_my_profile(
    body: ProfileUpdate, user: CurrentUserDep, users: UserServiceDep
) -> UserRead:
    """Change one's own name or e-mail (`email: null` removes it)."""
    return UserRead.model_validate(ok_or_raise(await users.update(user.id, body.changes())))


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteMyAccount",
    summary="Delete my account",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, UserNotFound, LastAdmin),
)
async def delete_my_account(user: CurrentUserDep, users: UserServiceDep) -> Response:
    """Delete one's own account; its tokens stop working at once."""
    ok_or_raise(await users.delete(user.id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="changeMyPassword",
    summary="Change my password",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, InvalidCurrentPassword, PasswordRejected),
)
async def change_my_password(
    body: PasswordChange, principal: PrincipalDep, auth: AuthServiceDep
) -> Response:
    """Replace one's password. Every other session ends; this one stays signed in."""
    ok_or_raise(
        await auth.change_password(
            principal,
            current_password=body.current_password.get_secret_value(),
            new_password=body.new_password.get_secret_value(),
        )
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "",
    operation_id="listUsers",
    summary="List users",
    responses=problem_responses(*ADMIN_PROBLEMS, InvalidCursor),
)
async def list_users(
    _admin: AdminDep,
    users: UserServiceDep,
    role: Annotated[Role | None, Query(description="Only users with this role.")] = None,
    q: Annotated[
        str | None,
        Query(
            description="A name prefix (case-insensitive; accents must match), or a CPF in "
            "any format (`529.982.247-25`, `52998224725`): a `q` with a digit is read as a "
            "CPF, and refused (422) unless it is a valid one.",
            min_length=1,
            max_length=120,
        ),
        AfterValidator(_user_search),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[Cursor | None, Query(description=CURSOR_DESCRIPTION)] = None,
) -> UserPage:
    """Users in sign-up order, a page at a time (admins only); `q` finds them by name or CPF."""
    search = UserSearch.parse(q) if q is not None else None
    page = ok_or_raise(await users.list_users(role=role, limit=limit, cursor=cursor, search=search))
    return UserPage(
        items=[UserRead.model_validate(user) for user in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/{user_id}",
    operation_id="getUser",
    summary="Show a user",
    responses=problem_responses(*ADMIN_PROBLEMS, UserNotFound),
)
async def read_user(user_id: UUID, _admin: AdminDep, users: UserServiceDep) -> UserRead:
    """One user by id (admins only)."""
    return UserRead.model_validate(ok_or_raise(await users.get(user_id)))


@router.patch(
    "/{user_id}",
    operation_id="updateUser",
    summary="Update a user",
    responses=problem_responses(*ADMIN_PROBLEMS, UserNotFound, UserAlreadyExists, LastAdmin),
)
async def update_user(
    user_id: UUID, body: UserAdminUpdate, _admin: AdminDep, users: UserServiceDep
) -> UserRead:
    """Change a user's role, name or e-mail (admins only)."""
    return UserRead.model_validate(ok_or_raise(await users.update(user_id, body.changes())))


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteUser",
    summary="Delete a user",
    responses=problem_responses(*ADMIN_PROBLEMS, UserNotFound, LastAdmin),
)
async def delete_user(user_id: UUID, _admin: AdminDep, users: UserServiceDep) -> Response:
    """Delete a user and end their sessions (admins only)."""
    ok_or_raise(await users.delete(user_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
