"""The saved-search service of a request."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.config.dependencies import database_of
from app.features.saved_searches.service import SavedSearchService
from app.routers.dependencies import components_of
from app.wiring import build_saved_search_service


async def get_saved_search_service(request: Request) -> SavedSearchService:
    """The saved-search service over this request's database."""
    return build_saved_search_service(database_of(request), components_of(request))


SavedSearchServiceDep = Annotated[SavedSearchService, Depends(get_saved_search_service)]
