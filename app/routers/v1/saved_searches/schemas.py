"""Saved searches as clients send and see them."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from app.features.saved_searches.service import SavedSearchView
from app.features.shared.pagination import Page
from app.routers.v1.real_estates.schemas import SearchCriteria

SearchName = Field(min_length=1, max_length=80, pattern=r"\S", examples=["3 quartos em Pinheiros"])


class SavedCriteria(SearchCriteria):
    """The search's criteria in a JSON body: a boolean there is `true` or `false` only."""

    has_photos: StrictBool | None = Field(
        default=None, description="true: only listings with a photo; false: only those without."
    )

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, data: Any) -> Any:
        # JSON's true and false are no numbers (a query string's values are all text).
        if isinstance(data, dict):
            for name, value in data.items():
                if isinstance(value, bool) and name != "has_photos":
                    raise ValueError(f"{name} takes a number or text, not {str(value).lower()}")
        return data


class SavedSearchCreate(BaseModel):
    """A name, and exactly the criteria of `GET /real-estates` (validated the same way)."""

    model_config = ConfigDict(extra="forbid")

    name: str = SearchName
    search: SavedCriteria = Field(
        examples=[{"city": "São Paulo", "neighborhood": "Pinheiros", "min_bedrooms": 3}]
    )


class SavedSearchRename(BaseModel):
    """A new name."""

    model_config = ConfigDict(extra="forbid")

    name: str = SearchName


class SavedSearchRead(BaseModel):
    """A saved search, and how many listings were published for it since it was last run."""

    id: UUID
    name: str
    search: dict[str, Any] = Field(
        description="The criteria, as `GET /real-estates` takes them (with `sort`)."
    )
    new_count: int = Field(
        ge=0,
        description="Listings published for it since `last_seen_at`.",
    )
    last_seen_at: datetime
    created_at: datetime


class SavedSearchPage(BaseModel):
    """One page of saved searches, newest first."""

    items: list[SavedSearchRead]
    next_cursor: str | None


def saved_search_document(view: SavedSearchView) -> dict[str, Any]:
    """A saved search as `SavedSearchRead` shows it."""
    search = view.search
    return SavedSearchRead(
        id=search.id,
        name=search.name,
        search={**_public(search.criteria), "sort": search.sort},
        new_count=view.new_count,
        last_seen_at=search.last_seen_at,
        created_at=search.created_at,
    ).model_dump(mode="json")


def saved_search_page_document(page: Page[SavedSearchView]) -> dict[str, Any]:
    """A page of saved searches as `SavedSearchPage` shows it."""
    return {
        "items": [saved_search_document(view) for view in page.items],
        "next_cursor": page.next_cursor,
    }


def _public(criteria: dict[str, Any]) -> dict[str, Any]:
    """Stored criteria in the search's own parameter names (`bbox`, `near`, `radius_km`)."""
    shown = dict(criteria)
    if box := shown.pop("bbox", None):
        shown["bbox"] = f"{box['west']},{box['south']},{box['east']},{box['north']}"
    if circle := shown.pop("near", None):
        shown["near"] = f"{circle['lat']},{circle['lng']}"
        shown["radius_km"] = circle["radius_km"]
    return shown
