"""The user JSON built from stored rows is UserRead's, field for field."""

import json

import pytest

from app.features.users.model import Role
from app.routers.responses import JSONDocument
from app.routers.v1.users.schemas import UserRead, user_document
from tests.conftest import MakeUser


@pytest.mark.parametrize(
    ("role", "email"),
    [(Role.COLLECTOR, "ana@example.com"), (Role.ADMIN, None)],
    ids=["collector-with-email", "admin-without-email"],
)
async def test_a_user_document_is_what_the_read_model_serialises(
    make_user: MakeUser, role: Role, email: str | None
) -> None:
    user = await make_user(name="Ana Lima", role=role, email=email)

    body = json.loads(bytes(JSONDocument(user_document(user)).body))

    assert body == UserRead.model_validate(user).model_dump(mode="json")
    assert list(body) == list(UserRead.model_fields)
    assert body["id"] == str(user.id)
    assert body["role"] == role.value
    assert body["email"] == email
