"""Validation helpers shared by the v1 request schemas."""

from typing import Any

from pydantic import field_validator


def refuse_null(*fields: str) -> Any:
    """A validator for PATCH bodies: these fields may be omitted, but not set to null."""

    def check(cls: type, value: object) -> object:
        if value is None:
            raise ValueError("may be omitted but not null")
        return value

    return field_validator(*fields, check_fields=False)(check)
