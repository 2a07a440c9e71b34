"""Sign-in routes: JSON for applications, OAuth2 password form for Swagger UI."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from app.core.config.auth.jwt import AccessToken
from app.core.errors.openapi import problem_responses
from app.core.errors.results import ok_or_raise
from app.features.auth.exceptions import InvalidCredentials
from app.routers.v1.auth.dependencies import AuthServiceDep
from app.routers.v1.auth.schemas import SignInRequest, TokenResponse

router = APIRouter(tags=["auth"])


def _token_response(token: AccessToken) -> TokenResponse:
    return TokenResponse(access_token=token.token, expires_in=token.expires_in)


@router.post("/sign-in", responses=problem_responses(InvalidCredentials))
async def sign_in(body: SignInRequest, auth: AuthServiceDep) -> TokenResponse:
    """Exchange a CPF and password for an access token.

    Unknown CPFs and wrong passwords get the same `INVALID_CREDENTIALS` answer.
    """
    token = ok_or_raise(await auth.sign_in(cpf=body.cpf, password=body.password.get_secret_value()))
    return _token_response(token)


@router.post("/auth/token", responses=problem_responses(InvalidCredentials))
async def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], auth: AuthServiceDep
) -> TokenResponse:
    """OAuth2 password flow (form fields `username` = CPF, `password`), as Swagger UI sends it."""
    token = ok_or_raise(await auth.sign_in(cpf=form.username, password=form.password))
    return _token_response(token)
