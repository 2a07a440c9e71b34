"""Favourite routes: save a listing, forget it, list one's favourites."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from app.core.errors.catalogue import InvalidCursor
from app.core.errors.openapi import problem_responses
from app.core.errors.results import ok_or_raise
from app.features.real_estates.exceptions import RealEstateNotFound
from app.routers.responses import JSONDocument
from app.routers.v1.auth.dependencies import SIGNED_IN_PROBLEMS, CurrentUserDep
from app.routers.v1.favorites.dependencies import FavoriteServiceDep
from app.routers.v1.favorites.schemas import FavoritePage, favorite_page_document
from app.routers.v1.real_estates.schemas import PageParams

router = APIRouter(prefix="/users/me/favorites", tags=["favorites"])


@router.get(
    "",
    operation_id="listMyFavorites",
    response_model=FavoritePage,
    summary="List my favourites",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, InvalidCursor),
)
async def list_my_favorites(
    params: Annotated[PageParams, Query()], user: CurrentUserDep, favorites: FavoriteServiceDep
) -> JSONDocument:
    """The caller's saved listings, the most recently saved first.

    Each item has the listing's summary while the caller may see it. A listing that was
    deleted, or unpublished (returned to draft or archived) by its owner or an admin,
    stays in the list as `available: false` with its id only, until it is removed.
    """
    page = await favorites.list_mine(user, limit=params.limit, cursor=params.cursor)
    return JSONDocument(favorite_page_document(ok_or_raise(page), favorites.photo_url))


@router.put(
    "/{listing_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="addFavorite",
    summary="Save a listing as a favourite",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, RealEstateNotFound),
)
async def add_favorite(
    listing_id: UUID, user: CurrentUserDep, favorites: FavoriteServiceDep
) -> Response:
    """Save a listing the caller may see (published, or their own). Idempotent.

    Saving it again keeps the time it was first saved. A listing the caller may not see
    (unknown, or someone else's draft or archived listing) is a 404.
    """
    ok_or_raise(await favorites.add(user, listing_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/{listing_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="removeFavorite",
    summary="Remove a favourite",
    responses=problem_responses(*SIGNED_IN_PROBLEMS),
)
async def remove_favorite(
    listing_id: UUID, user: CurrentUserDep, favorites: FavoriteServiceDep
) -> Response:
    """Forget a saved listing. Idempotent: 204 also when it was not a favourite."""
    await favorites.remove(user, listing_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
