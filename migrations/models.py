"""Imports every model so that `Base.metadata` knows all tables."""

from app.core.config.db.base import Base
from app.features.audit.model import AuditEvent
from app.features.auth.model import AuthSession, RefreshToken
from app.features.favorites.model import Favorite
from app.features.idempotency.model import IdempotencyRecord
from app.features.inquiries.model import Inquiry
from app.features.photos.model import ListingPhoto, StorageDeletion
from app.features.real_estates.model import RealEstate
from app.features.saved_searches.model import SavedSearch
from app.features.users.model import User

__all__ = [
    "AuditEvent",
    "AuthSession",
    "Base",
    "Favorite",
    "IdempotencyRecord",
    "Inquiry",
    "ListingPhoto",
    "RealEstate",
    "RefreshToken",
    "SavedSearch",
    "StorageDeletion",
    "User",
]
