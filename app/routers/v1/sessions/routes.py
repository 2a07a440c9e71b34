"""Session routes: list and end one's own sessions; admins end all of someone's."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from app.core.errors.catalogue import InvalidCursor
from app.core.errors.openapi import problem_responses
from app.core.errors.results import ok_or_raise
from app.core.openapi import follows, merge_responses
from app.features.auth.exceptions import SessionNotFound
from app.features.shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from app.features.users.exceptions import UserNotFound
from app.routers.v1.auth.dependencies import (
    ADMIN_PROBLEMS,
    SIGNED_IN_PROBLEMS,
    AdminDep,
    PrincipalDep,
)
from app.routers.v1.sessions.dependencies import SessionServiceDep
from app.routers.v1.sessions.schemas import SessionPage
from app.routers.v1.validation import CURSOR_DESCRIPTION, Cursor

router = APIRouter(tags=["sessions"])

MINE = "/users/me/sessions"


def _no_content() -> Response:
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    MINE,
    operation_id="listMySessions",
    summary="List my sessions",
    responses=merge_responses(
        problem_responses(*SIGNED_IN_PROBLEMS, InvalidCursor),
        follows(200, {"endMySession": {"session_id": "$response.body#/items/0/id"}}),
    ),
)
async def list_my_sessions(
    principal: PrincipalDep,
    sessions: SessionServiceDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[Cursor | None, Query(description=CURSOR_DESCRIPTION)] = None,
) -> SessionPage:
    """The devices signed in to my account, newest first; `current` marks this one."""
    page = ok_or_raise(await sessions.list_mine(principal, limit=limit, cursor=cursor))
    return SessionPage.of(page, current_id=principal.session_id)


@router.delete(
    f"{MINE}/{{session_id}}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="endMySession",
    summary="End one of my sessions",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, SessionNotFound),
)
async def end_my_session(
    session_id: UUID, principal: PrincipalDep, sessions: SessionServiceDep
) -> Response:
    """Sign one device out: its tokens stop working at once (this one's too, if it is this)."""
    ok_or_raise(await sessions.end_mine(principal, session_id))
    return _no_content()


@router.delete(
    MINE,
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="endMyOtherSessions",
    summary="End all my other sessions",
    responses=problem_responses(*SIGNED_IN_PROBLEMS),
)
async def end_my_other_sessions(principal: PrincipalDep, sessions: SessionServiceDep) -> Response:
    """Sign every other device out; this one stays signed in."""
    ok_or_raise(await sessions.end_others(principal))
    return _no_content()


@router.delete(
    "/users/{user_id}/sessions",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="endUserSessions",
    summary="End all of a user's sessions",
    responses=problem_responses(*ADMIN_PROBLEMS, UserNotFound),
)
async def end_user_sessions(
    user_id: UUID, _admin: AdminDep, sessions: SessionServiceDep
) -> Response:
    """Sign a user out everywhere, e.g. after a lost phone (admins only)."""
    ok_or_raise(await sessions.end_all_of(user_id))
    return _no_content()
