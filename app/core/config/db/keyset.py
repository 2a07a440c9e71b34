"""SQL building block of keyset pagination."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, literal, tuple_


def keyset(position: Sequence[Any]) -> ColumnElement[Any]:
    """A row value of bound parameters, to compare a sort-key tuple with: (a, b) > (:x, :y)."""
    return tuple_(*(literal(value) for value in position))
