"""SQL building block of keyset pagination."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, bindparam, literal, tuple_


def keyset(position: Sequence[Any]) -> ColumnElement[Any]:
    """A row value of bound parameters, to compare a sort-key tuple with: (a, b) > (:x, :y)."""
    return tuple_(*(literal(value) for value in position))


def keyset_after(key: Sequence[Any]) -> ColumnElement[Any]:
    """The position after which a page starts, as named parameters `after_key`, `after_id`.

    For statements compiled once (`Query`): the values are bound at each execution,
    typed like the sort key's columns (`key`: the sort column, then the id column).
    """
    column, id_column = key
    return tuple_(
        bindparam("after_key", type_=column.type), bindparam("after_id", type_=id_column.type)
    )
