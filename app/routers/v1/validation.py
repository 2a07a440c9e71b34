"""Validation helpers shared by the v1 request schemas."""

from typing import Annotated, Any, TypeVar

from pydantic import GetJsonSchemaHandler, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

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
