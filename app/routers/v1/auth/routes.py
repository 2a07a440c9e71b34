"""Sign-in routes: JSON for applications, OAuth2 password form for Swagger UI; refresh, sign-out."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status

from app.core.errors.openapi import problem_responses
from app.core.errors.results import ok_or_raise
from app.core.openapi import NO_STORE, merge_responses, sends
from app.features.auth.exceptions import InvalidCredentials, InvalidRefreshToken
from app.features.auth.service import Client, TokenPair
from app.routers.dependencies import components_of
from app.routers.v1.auth.dependencies import AuthServiceDep, no_store
from app.routers.v1.auth.schemas import (
    RefreshRequest,
    SignInRequest,
    TokenRequest,
    TokenResponse,
)
from app.routers.v1.limits import REFRESH_LIMIT, SIGN_IN_LIMIT, limited_responses

router = APIRouter(tags=["auth"])

TOKEN_RESPONSES = merge_responses(
    problem_responses(InvalidCredentials), sends(200, NO_STORE), limited_responses(200)
)


def _token_response(pair: TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access.token,
        expires_in=pair.access.expires_in,
        refresh_token=pair.refresh_token,
    )


def _client(request: Request) -> Client:
    address = components_of(request).addresses.of(request.scope)
    return Client(address=address, user_agent=request.headers.get("user-agent"))


@router.post(
    "/sign-in",
    operation_id="signIn",
    summary="Sign in with CPF and password",
    dependencies=[Depends(no_store), SIGN_IN_LIMIT],
    responses=TOKEN_RESPONSES,
)
async def sign_in(body: SignInRequest, auth: AuthServiceDep, request: Request) -> TokenResponse:
    """Exchange a CPF and password for an access token and a refresh token.

    Each sign-in opens a session (one per device), listed at `/api/v1/users/me/sessions`.
    Unknown CPFs and wrong passwords get the same `INVALID_CREDENTIALS` answer.
    """
    password = body.password.get_secret_value()
    pair = await auth.sign_in(cpf=body.cpf, password=password, client=_client(request))
    return _token_response(ok_or_raise(pair))


@router.post(
    "/auth/token",
    operation_id="issueToken",
    summary="Sign in with the OAuth2 password form",
    dependencies=[Depends(no_store), SIGN_IN_LIMIT],
    responses=TOKEN_RESPONSES,
)
async def issue_token(
    form: Annotated[TokenRequest, Form()], auth: AuthServiceDep, request: Request
) -> TokenResponse:
    """OAuth2 password flow (form fields `username` = CPF, `password`), as Swagger UI sends it."""
    password = form.password.get_secret_value()
    pair = await auth.sign_in(cpf=form.username, password=password, client=_client(request))
    return _token_response(ok_or_raise(pair))


@router.post(
    "/auth/refresh",
    operation_id="refreshToken",
    summary="Swap a refresh token for new tokens",
    dependencies=[Depends(no_store), REFRESH_LIMIT],
    responses=merge_responses(
        problem_responses(InvalidRefreshToken), sends(200, NO_STORE), limited_responses(200)
    ),
)
async def refresh_token(body: RefreshRequest, auth: AuthServiceDep) -> TokenResponse:
    """A new access token and refresh token, in the same session; the old refresh token is spent.

    Each refresh token works once. Presenting a spent one again ends its session
    (someone copied it), except within a few seconds of its use, when it is taken
    for a client retrying a refresh whose answer was lost: that gets
    `INVALID_REFRESH_TOKEN` and the session goes on. A session also ends after
    30 days unused or 90 days after its sign-in (settings).
    """
    return _token_response(ok_or_raise(await auth.refresh(body.refresh_token)))


@router.post(
    "/sign-out",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="signOut",
    summary="End the session of a refresh token",
)
async def sign_out(body: RefreshRequest, auth: AuthServiceDep) -> Response:
    """End the session the refresh token belongs to: its tokens stop working at once.

    Always 204, also for a token that is unknown or whose session already ended.
    """
    ok_or_raise(await auth.sign_out(body.refresh_token))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
