"""Errors of the real-estates feature (generated from errors.json)."""

from app.core.errors.catalogue import (
    Forbidden,
    InvalidCursor,
    InvalidStatusTransition,
    RealEstateNotFound,
    StaleVersion,
)

__all__ = [
    "Forbidden",
    "InvalidCursor",
    "InvalidStatusTransition",
    "RealEstateNotFound",
    "StaleVersion",
]
