"""Errors of the auth feature (generated from errors.json)."""

from app.core.errors.catalogue import (
    Forbidden,
    InvalidCredentials,
    InvalidCurrentPassword,
    InvalidToken,
    NotAuthenticated,
)

__all__ = [
    "Forbidden",
    "InvalidCredentials",
    "InvalidCurrentPassword",
    "InvalidToken",
    "NotAuthenticated",
]
