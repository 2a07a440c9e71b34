"""Validation helpers shared by the v1 request schemas."""

from typing import Annotated, Any, TypeVar

from pydantic import Field, GetJsonSchemaHandler, WithJsonSchema, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from app.features.shared.pagination import MAX_CURSOR_LENGTH

T = TypeVar("T")

NULL_SCHEMA = {"type": "null"}


class _NullHidden:
    """Show a nullable type's schema without its null branch (validation keeps it)."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        options = [option for option in schema.get("anyOf", []) if option != NULL_SCHEMA]
        if len(options) == 1:
            del schema["anyOf"]
            schema.update(options[0])
        return schema


Omittable = Annotated[T | None, _NullHidden()]
"""`Omittable[X] = None`: a PATCH field that may be left out but not null (`refuse_null`).

Its schema is `X`'s alone, not nullable, so clients see exactly what is accepted;
validation still treats it as `X | None`, so errors point at the field itself.
"""


def refuse_null(*fields: str) -> Any:
    """A validator for PATCH bodies: these fields may be omitted, but not set to null."""

    def check(cls: type, value: object) -> object:
        if value is None:
            raise ValueError("may be omitted but not null")
        return value

    return field_validator(*fields, check_fields=False)(check)


CURSOR_DESCRIPTION = "`next_cursor` of the previous page."
Cursor = Annotated[
    str,
    # The shape of every cursor the API issues (two base64url parts), stated in the
    # document only: the server answers any other value with INVALID_CURSOR, as it
    # answers a well-formed one that was altered, expired or made for another query.
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 3,
            "maxLength": MAX_CURSOR_LENGTH,
            "pattern": r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
        }
    ),
    Field(description=CURSOR_DESCRIPTION),
]
"""A page cursor, as `next_cursor` returned it: `Cursor | None = None` in a query."""


# What `strip_whitespace` trims (pydantic-core trims Unicode White_Space), as a regex class.
_SPACE = r"\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def trimmed_pattern(min_length: int) -> str:
    """A pattern of text that keeps `min_length` (at least 1) characters once trimmed.

    `minLength` counts the spaces around the text, which the server trims first: the
    pattern says what is left must still be long enough.
    """
    if min_length <= 1:
        return rf"[^{_SPACE}]"
    return rf"^[{_SPACE}]*[^{_SPACE}][\s\S]{{{min_length - 2},}}[^{_SPACE}][{_SPACE}]*$"


def padded_pattern(form: str) -> str:
    """A pattern of text that is `form` once trimmed (as `strip_whitespace` trims it)."""
    return rf"^[{_SPACE}]*{form}[{_SPACE}]*$"


def trimmed(min_length: int) -> Any:
    """Metadata that states `trimmed_pattern(min_length)` in the document.

    It goes next to the `StringConstraints(strip_whitespace=True, ...)` that enforces it.
    """
    return Field(json_schema_extra={"pattern": trimmed_pattern(min_length)})
