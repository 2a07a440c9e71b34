"""The one bridge from `Result` values to HTTP: raise the Err, return the Ok."""

from typing import TypeVar

from result import Err, Result

from app.core.errors.base import BaseError

T = TypeVar("T")


def ok_or_raise(result: Result[T, BaseError]) -> T:
    """Return the Ok value, or raise the Err so the problem handler renders it."""
    if isinstance(result, Err):
        raise result.err_value
    return result.ok_value
