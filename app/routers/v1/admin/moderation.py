"""Admins' moderation of listings: every listing, any status, and taking one down."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from app.core.errors.catalogue import InvalidCursor
from app.core.errors.openapi import problem_responses
from app.core.errors.results import ok_or_raise
from app.core.openapi import merge_responses
from app.features.real_estates.exceptions import (
    InvalidStatusTransition,
    RealEstateNotFound,
    StaleVersion,
)
from app.routers.responses import JSONDocument
from app.routers.v1.admin.schemas import AdminListingQuery, UnpublishRequest
from app.routers.v1.auth.dependencies import ADMIN_PROBLEMS, AdminDep
from app.routers.v1.real_estates.dependencies import (
    ExpectedVersionsDep,
    RealEstateServiceDep,
    etag,
)
from app.routers.v1.real_estates.routes import SHOWS_LISTING
from app.routers.v1.real_estates.schemas import (
    RealEstatePage,
    RealEstateRead,
    listing_document,
    page_document,
)

router = APIRouter(prefix="/admin/real-estates", tags=["admin"])


@router.get(
    "",
    operation_id="listAllRealEstates",
    response_model=RealEstatePage,
    summary="List every listing",
    responses=problem_responses(*ADMIN_PROBLEMS, InvalidCursor),
)
async def list_all_real_estates(
    params: Annotated[AdminListingQuery, Query()], _admin: AdminDep, listings: RealEstateServiceDep
) -> JSONDocument:
    """Listings of every owner and status, newest registered first (admins only).

    Filter by `owner_id`, `status`, full text `q` (as the public search's, over any
    status) and a registration window (`created_from` inclusive, `created_until`
    exclusive). Pass `next_cursor` back as `cursor` with the same filters.
    """
    page = await listings.list_all(params.filters(), limit=params.limit, cursor=params.cursor)
    return JSONDocument(page_document(ok_or_raise(page), listings.photo_url))


@router.post(
    "/{listing_id}/unpublish",
    operation_id="unpublishRealEstate",
    response_model=RealEstateRead,
    summary="Take a published listing down",
    responses=merge_responses(
        problem_responses(
            *ADMIN_PROBLEMS, RealEstateNotFound, StaleVersion, InvalidStatusTransition
        ),
        SHOWS_LISTING,
    ),
)
async def unpublish_real_estate(
    listing_id: UUID,
    body: UnpublishRequest,
    admin: AdminDep,
    expected_versions: ExpectedVersionsDep,
    listings: RealEstateServiceDep,
) -> JSONDocument:
    """Send a published listing back to draft, with the reason (admins only).

    The listing leaves the public search at once and gets a new version (`ETag`); its
    owner sees `moderation_reason` on the draft until they publish it again, which
    clears it. The action is recorded in the audit trail
    (`listing.unpublished_by_admin`, with the reason). A listing that is not
    published is a 409 `INVALID_STATUS_TRANSITION`.
    """
    moved = await listings.unpublish(
        listing_id, admin, body.reason, expected_versions=expected_versions
    )
    view = ok_or_raise(moved)
    document = listing_document(
        view.listing, listings.photo_url, favorite_count=view.favorite_count
    )
    return JSONDocument(document, headers={"ETag": etag(view.listing.version)})
