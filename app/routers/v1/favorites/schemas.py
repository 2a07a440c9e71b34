"""Response bodies of the favourite routes."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.features.favorites.service import SavedListing
from app.features.shared.pagination import Page
from app.routers.v1.photos.schemas import PhotoUrl
from app.routers.v1.real_estates.schemas import RealEstateSummary, summary_document


class AvailableFavorite(BaseModel):
    """A saved listing the caller may still see, with its summary."""

    listing_id: UUID
    available: Literal[True] = Field(description="The listing is there to see.")
    favorited_at: datetime = Field(description="When the caller saved it.")
    listing: RealEstateSummary


class UnavailableFavorite(BaseModel):
    """A saved listing that was deleted or unpublished: only its id is shown.

    It stays in the list (until removed) rather than vanishing; nothing of a listing
    the caller may not see is shown.
    """

    listing_id: UUID
    available: Literal[False] = Field(description="The listing was deleted or unpublished.")
    favorited_at: datetime = Field(description="When the caller saved it.")


class FavoritePage(BaseModel):
    """One page of the caller's favourites, newest first, and the cursor of the next page."""

    items: list[AvailableFavorite | UnavailableFavorite]
    next_cursor: str | None


def favorite_document(saved: SavedListing, url: PhotoUrl) -> dict[str, Any]:
    """A favourite as `AvailableFavorite` or `UnavailableFavorite` shows it."""
    document: dict[str, Any] = {
        "listing_id": str(saved.listing_id),
        "available": saved.listing is not None,
        "favorited_at": saved.favorited_at,
    }
    if saved.listing is not None:
        document["listing"] = summary_document(saved.listing, url)
    return document


def favorite_page_document(page: Page[SavedListing], url: PhotoUrl) -> dict[str, Any]:
    """A page of favourites as `FavoritePage` shows it, as plain data for `JSONDocument`."""
    return {
        "items": [favorite_document(saved, url) for saved in page.items],
        "next_cursor": page.next_cursor,
    }
