"""Request and response bodies of the auth routes."""

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class SignInRequest(BaseModel):
    """Credentials for a JSON sign-in."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"cpf": "529.982.247-25", "password": "a long odd phrase"}]}
    )

    cpf: str = Field(max_length=32, description="CPF with or without punctuation.")
    password: SecretStr = Field(max_length=1024)


class TokenResponse(BaseModel):
    """A bearer access token."""

    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the access token expires.", examples=[900])
