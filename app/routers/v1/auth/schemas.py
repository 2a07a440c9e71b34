"""Request and response bodies of the auth routes."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class SignInRequest(BaseModel):
    """Credentials for a JSON sign-in."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"cpf": "390.533.447-05", "password": "a long odd phrase"}]}
    )

    cpf: str = Field(max_length=32, description="CPF with or without punctuation.")
    password: SecretStr = Field(max_length=1024)


class TokenRequest(BaseModel):
    """The OAuth2 password grant (RFC 6749 §4.3.2), as Swagger UI's Authorize posts it.

    The API has no OAuth2 clients: `client_id` and `client_secret`, if sent, are ignored.
    """

    grant_type: Literal["password"] = Field(
        default="password", description="Always `password`; may be omitted."
    )
    username: str = Field(max_length=32, description="Your CPF, with or without punctuation.")
    password: SecretStr = Field(max_length=1024)
    scope: str = Field(default="", max_length=1024, description="Unused: leave it empty.")


class RefreshRequest(BaseModel):
    """A refresh token, as the last sign-in or refresh returned it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"refresh_token": "Yq3v9Zb0mJ8T0n5c2wq4dXKkqgk0h6S1Ue7rPj2LxQE"}]
        },
    )

    refresh_token: str = Field(min_length=1, max_length=128)


class TokenResponse(BaseModel):
    """A bearer access token, and the refresh token that gets the next one."""

    # Always sent: the schema lists `token_type` as required despite its default.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the access token expires.", examples=[900])
    refresh_token: str = Field(
        description="Opaque; spend it at `/api/v1/auth/refresh` for a new pair (once), "
        "or at `/api/v1/sign-out` to end the session.",
    )
