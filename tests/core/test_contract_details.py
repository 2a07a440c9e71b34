"""Settings validation and OpenAPI details that clients and operators rely on."""

from pathlib import Path

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


async def test_a_json_route_sent_another_media_type_answers_415(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/users", content=b"name=Ana", headers={"content-type": "text/plain"}
    )

    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"


async def test_a_json_body_without_content_type_is_still_read_as_json(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/v1/users", content=b"{}")

    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"


async def test_the_public_search_refuses_an_invalid_token_like_every_route(
    client: httpx.AsyncClient,
) -> None:
    anonymous = await client.get("/api/v1/real-estates")
    forged = await client.get(
        "/api/v1/real-estates", headers={"Authorization": "Bearer not-a-token"}
    )

    assert anonymous.status_code == 200
    assert forged.status_code == 401
    assert forged.json()["code"] == "INVALID_TOKEN"


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") : readme.index("## Architecture")]

    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in table]

    assert missing == []
