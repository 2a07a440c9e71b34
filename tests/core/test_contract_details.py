"""Settings validation and OpenAPI details that clients and operators rely on."""

import httpx
import pytest
from pydantic import ValidationError

from app.core.config.settings import Settings

STRONG = "s" * 48


@pytest.mark.parametrize("level", ["verbose", "", "10"])
def test_an_unknown_log_level_is_refused_by_the_settings(level: str) -> None:
    with pytest.raises(ValidationError, match="log_level"):
        Settings(_env_file=None, log_level=level)


def test_the_log_level_is_case_insensitive() -> None:
    settings = Settings(_env_file=None, log_level="warning")

    assert settings.log_level == "WARNING"


@pytest.mark.parametrize("previous", ["short", "dev-only-secret-change-me-please-0123456789"])
def test_production_refuses_a_weak_previous_jwt_secret(previous: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(
            _env_file=None,
            environment="production",
            database_url="postgresql://db/app",
            jwt_secret=STRONG,
            jwt_previous_secrets=previous,
        )

    assert "JWT_PREVIOUS_SECRETS" in str(raised.value)
    assert previous not in str(raised.value)


async def test_operations_with_a_body_document_the_body_problems(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()

    sign_up = schema["paths"]["/api/v1/users"]["post"]["responses"]
    describe_error = schema["paths"]["/errors/{slug}"]["get"]["responses"]

    assert {"400", "409", "413", "422", "500"} <= set(sign_up)
    assert "PAYLOAD_TOO_LARGE" in sign_up["413"]["content"]["application/problem+json"]["examples"]
    assert "NOT_FOUND" in describe_error["404"]["content"]["application/problem+json"]["examples"]
