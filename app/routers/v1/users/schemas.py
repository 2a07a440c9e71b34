"""Request and response bodies of the user routes."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    SecretStr,
    StringConstraints,
    TypeAdapter,
)

from app.features.shared.cpf import Cpf as CpfDigits
from app.features.shared.cpf import normalize_cpf
from app.features.users.model import Role, User
from app.features.users.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.features.users.service import UserChanges
from app.routers.v1.validation import Omittable, refuse_null, trimmed


def _valid_cpf(value: str) -> CpfDigits:
    digits = normalize_cpf(value)
    if digits is None:
        raise ValueError("not a valid CPF (11 digits with valid check digits)")
    return digits


CPF_PATTERN = r"^\s*([0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}|[0-9]{11})\s*$"
Cpf = Annotated[
    CpfDigits,
    StringConstraints(max_length=32),
    AfterValidator(_valid_cpf),
    Field(
        description="CPF, as 390.533.447-05 or 39053344705; stored as digits.",
        # `format: cpf`: the check digits too must be right, which no pattern can say.
        json_schema_extra={"format": "cpf", "pattern": CPF_PATTERN},
    ),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=4, max_length=120),
    trimmed(4),
    Field(description="Full name, 4 to 120 characters."),
]
Email = Annotated[EmailStr, AfterValidator(str.lower), Field(max_length=254)]
Password = Annotated[
    SecretStr,
    # The policy's length is stated in the document; the policy itself answers a password
    # outside it (PASSWORD_REJECTED, with the reason), so the 1024 cap only bounds input.
    Field(
        max_length=1024,
        description=f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters; not the CPF, "
        "not a common password.",
        json_schema_extra={"minLength": MIN_PASSWORD_LENGTH, "maxLength": MAX_PASSWORD_LENGTH},
    ),
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Patch(_Request):
    _not_null = refuse_null("name", "role")


class UserCreate(_Request):
    """A sign-up."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Ana Lima",
                    "cpf": "390.533.447-05",
                    "password": "a long odd phrase",
                    "email": "ana@example.com",
                }
            ]
        }
    )

    name: Name
    cpf: Cpf
    password: Password
    email: Email | None = None


class ProfileUpdate(_Patch):
    """Changes to one's own profile; omitted fields stay, `email: null` removes the e-mail."""

    name: Omittable[Name] = None
    email: Email | None = None

    def changes(self) -> UserChanges:
        """The changes this body asks for: only the fields it sets."""
        return _USER_CHANGES.validate_python(self.model_dump(exclude_unset=True))


class UserAdminUpdate(ProfileUpdate):
    """Changes an admin may make to any user."""

    role: Omittable[Role] = None


_USER_CHANGES = TypeAdapter(UserChanges)


class PasswordChange(_Request):
    """A password change: the current password proves it is really the account holder."""

    current_password: SecretStr = Field(max_length=1024)
    new_password: Password


class UserRead(BaseModel):
    """A user account as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    cpf: str = Field(description="11 digits.")
    email: str | None
    role: Role
    created_at: datetime
    updated_at: datetime


def user_document(user: User) -> dict[str, Any]:
    """A user as `UserRead` shows it, as plain data for `JSONDocument`.

    Built straight from the stored user, without validating it again (as
    `listing_document` is); a test keeps it equal to `UserRead`'s JSON.
    """
    return {
        "id": str(user.id),
        "name": user.name,
        "cpf": user.cpf,
        "email": user.email,
        "role": user.role.value,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


class UserPage(BaseModel):
    """One page of users and the cursor of the next page (null on the last one)."""

    items: list[UserRead]
    next_cursor: str | None
