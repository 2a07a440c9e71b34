"""Saved-search routes: keep, list, rename, drop, and run."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from app.core.errors.catalogue import InvalidCursor
from app.core.errors.openapi import problem_responses
from app.core.errors.results import ok_or_raise
from app.features.saved_searches.exceptions import SavedSearchNotFound, TooManySavedSearches
from app.routers.responses import JSONDocument
from app.routers.v1.auth.dependencies import SIGNED_IN_PROBLEMS, CurrentUserDep
from app.routers.v1.real_estates.schemas import PageParams, RealEstatePage, page_document
from app.routers.v1.saved_searches.dependencies import SavedSearchServiceDep
from app.routers.v1.saved_searches.schemas import (
    SavedSearchCreate,
    SavedSearchPage,
    SavedSearchRead,
    SavedSearchRename,
    saved_search_document,
    saved_search_page_document,
)

router = APIRouter(prefix="/users/me/saved-searches", tags=["saved-searches"])
ONE = "/{search_id}"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SavedSearchRead,
    operation_id="saveSearch",
    summary="Save a search",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, TooManySavedSearches),
)
async def save_search(
    body: SavedSearchCreate, user: CurrentUserDep, searches: SavedSearchServiceDep
) -> JSONDocument:
    """Keep a search under a name (50 at most); listings published from now on count as new."""
    criteria = body.search
    saved = await searches.create(user, body.name, criteria.filters(), criteria.sort)
    view = ok_or_raise(saved)
    location = f"/api/v1/users/me/saved-searches/{view.search.id}"
    document = saved_search_document(view)
    return JSONDocument(
        document, status_code=status.HTTP_201_CREATED, headers={"Location": location}
    )


@router.get(
    "",
    response_model=SavedSearchPage,
    operation_id="listMySavedSearches",
    summary="List my saved searches",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, InvalidCursor),
)
async def list_my_saved_searches(
    params: Annotated[PageParams, Query()], user: CurrentUserDep, searches: SavedSearchServiceDep
) -> JSONDocument:
    """The caller's saved searches, newest first, each with its `new_count`."""
    page = await searches.page(user, limit=params.limit, cursor=params.cursor)
    return JSONDocument(saved_search_page_document(ok_or_raise(page)))


@router.patch(
    ONE,
    response_model=SavedSearchRead,
    operation_id="renameSavedSearch",
    summary="Rename a saved search",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, SavedSearchNotFound),
)
async def rename_saved_search(
    search_id: UUID, body: SavedSearchRename, user: CurrentUserDep, searches: SavedSearchServiceDep
) -> JSONDocument:
    """Give a saved search another name (its criteria never change: save a new one)."""
    renamed = await searches.rename(user, search_id, body.name)
    return JSONDocument(saved_search_document(ok_or_raise(renamed)))


@router.delete(
    ONE,
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteSavedSearch",
    summary="Delete a saved search",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, SavedSearchNotFound),
)
async def delete_saved_search(
    search_id: UUID, user: CurrentUserDep, searches: SavedSearchServiceDep
) -> Response:
    """Drop a saved search."""
    ok_or_raise(await searches.delete(user, search_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    f"{ONE}/matches",
    response_model=RealEstatePage,
    operation_id="listSavedSearchMatches",
    summary="Run a saved search",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, SavedSearchNotFound, InvalidCursor),
)
async def list_saved_search_matches(
    search_id: UUID,
    params: Annotated[PageParams, Query()],
    user: CurrentUserDep,
    searches: SavedSearchServiceDep,
) -> JSONDocument:
    """The published listings the search finds now, a page at a time, in its order.

    Asking for the first page (no `cursor`) marks everything seen: `new_count` starts
    again from zero.
    """
    page = await searches.matches(user, search_id, limit=params.limit, cursor=params.cursor)
    return JSONDocument(page_document(ok_or_raise(page), searches.photo_url))
