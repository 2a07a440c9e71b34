"""Responses whose bodies skip FastAPI's validate-then-serialise step."""

from typing import Any

from fastapi.responses import Response
from pydantic_core import to_json


class JSONDocument(Response):
    """A JSON body of plain data (dicts, lists, UUIDs, datetimes, enums), encoded in Rust.

    For documents built from stored rows, which passed validation on their way in:
    routes that return one declare its schema with `response_model`, and a test of
    each builder keeps its output equal to that model's.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Encode `content` with pydantic-core (UTC datetimes end in `Z`, as pydantic's do)."""
        return to_json(content)
