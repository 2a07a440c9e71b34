"""Errors of the users feature (generated from errors.json)."""

from app.core.errors.catalogue import LastAdmin, PasswordRejected, UserAlreadyExists, UserNotFound

__all__ = ["LastAdmin", "PasswordRejected", "UserAlreadyExists", "UserNotFound"]
