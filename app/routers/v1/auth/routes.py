"""Sign-in routes: JSON for applications, OAuth2 password form for Swagger UI."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form

from app.core.config.auth.jwt import AccessToken
from app.core.errors.openapi import problem_responses
from app.core.errors.results import ok_or_raise
from app.core.openapi import NO_STORE, merge_responses, sends
from app.features.auth.exceptions import InvalidCredentials
from app.routers.v1.auth.dependencies import AuthServiceDep, no_store
from app.routers.v1.auth.schemas import SignInRequest, TokenRequest, TokenResponse

router = APIRouter(tags=["auth"])

TOKEN_RESPONSES = merge_responses(problem_responses(InvalidCredentials), sends(200, NO_STORE))


def _token_response(token: AccessToken) -> TokenResponse:
    return TokenResponse(access_token=token.token, expires_in=token.expires_in)


@router.post(
    "/sign-in",
    operation_id="signIn",
    summary="Sign in with CPF and password",
    dependencies=[Depends(no_store)],
    responses=TOKEN_RESPONSES,
)
async def sign_in(body: SignInRequest, auth: AuthServiceDep) -> TokenResponse:
    """Exchange a CPF and password for an access token.

    Unknown CPFs and wrong passwords get the same `INVALID_CREDENTIALS` answer.
    """
    token = ok_or_raise(await auth.sign_in(cpf=body.cpf, password=body.password.get_secret_value()))
    return _token_response(token)


@router.post(
    "/auth/token",
    operation_id="issueToken",
    summary="Sign in with the OAuth2 password form",
    dependencies=[Depends(no_store)],
    responses=TOKEN_RESPONSES,
)
async def issue_token(form: Annotated[TokenRequest, Form()], auth: AuthServiceDep) -> TokenResponse:
    """OAuth2 password flow (form fields `username` = CPF, `password`), as Swagger UI sends it."""
    password = form.password.get_secret_value()
    token = ok_or_raise(await auth.sign_in(cpf=form.username, password=password))
    return _token_response(token)
