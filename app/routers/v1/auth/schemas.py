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


class TokenResponse(BaseModel):
    """A bearer access token."""

    # Always sent: the schema lists `token_type` as required despite its default.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the access token expires.", examples=[900])
