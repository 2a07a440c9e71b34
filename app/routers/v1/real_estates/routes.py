"""Listing routes: registration, edits with ETags, workflow actions and search."""

from collections.abc import Collection
from functools import partial
from typing import Annotated, Protocol
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from result import Result

from app.core.errors.catalogue import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    InvalidCursor,
    PreconditionRequired,
    UserNotFound,
)
from app.core.errors.openapi import problem_responses
from app.core.errors.results import ok_or_raise
from app.core.openapi import (
    ETAG,
    IDEMPOTENT_REPLAYED,
    LOCATION,
    OPTIONAL_SIGN_IN,
    follows,
    merge_responses,
    sends,
)
from app.features.idempotency.response import StoredResponse
from app.features.real_estates.exceptions import (
    InvalidStatusTransition,
    RealEstateNotFound,
    StaleVersion,
)
from app.features.real_estates.model import RealEstate
from app.features.real_estates.service import ListingView, MoveError, RealEstateService
from app.features.users.model import User
from app.routers.responses import JSONDocument
from app.routers.v1.auth.dependencies import (
    ADMIN_PROBLEMS,
    SIGNED_IN_PROBLEMS,
    CurrentUserDep,
    OptionalUserDep,
)
from app.routers.v1.idempotency import IdempotencyKeyHeader, keyed, send, stored
from app.routers.v1.photos.schemas import PhotoUrl
from app.routers.v1.real_estates.dependencies import (
    ExpectedVersionsDep,
    RealEstateServiceDep,
    RequiredVersionsDep,
    etag,
)
from app.routers.v1.real_estates.schemas import (
    PageParams,
    RealEstateCreate,
    RealEstatePage,
    RealEstateRead,
    RealEstateUpdate,
    SearchParams,
    listing_document,
    page_document,
)

router = APIRouter(tags=["real-estates"])

BASE = "/real-estates"
EDIT_PROBLEMS = (*ADMIN_PROBLEMS, RealEstateNotFound, StaleVersion)
SENDS_ETAG = sends(200, ETAG)
# What a client can do next with the listing an answer shows (OpenAPI links): the body's
# `id` names it, and the `ETag` header is the `If-Match` of a change.
_SHOWN_ID = {"listing_id": "$response.body#/id"}
_SHOWN_VERSION = {**_SHOWN_ID, "header.if-match": "$response.header.ETag"}
LISTING_LINKS = {
    "getRealEstate": _SHOWN_ID,
    "updateRealEstate": _SHOWN_VERSION,
    "publishRealEstate": _SHOWN_VERSION,
    "archiveRealEstate": _SHOWN_VERSION,
    "draftRealEstate": _SHOWN_VERSION,
    "deleteRealEstate": _SHOWN_ID,
}
SHOWS_LISTING = merge_responses(SENDS_ETAG, follows(200, LISTING_LINKS))


def _one(view: ListingView, url: PhotoUrl) -> JSONDocument:
    document = listing_document(view.listing, url, favorite_count=view.favorite_count)
    return JSONDocument(document, headers={"ETag": etag(view.listing.version)})


@router.post(
    BASE,
    status_code=status.HTTP_201_CREATED,
    response_model=RealEstateRead,
    operation_id="createRealEstate",
    summary="Register a listing",
    responses=merge_responses(
        problem_responses(
            *SIGNED_IN_PROBLEMS, UserNotFound, IdempotencyKeyReused, IdempotencyKeyInUse
        ),
        sends(201, LOCATION, ETAG, IDEMPOTENT_REPLAYED),
        follows(201, LISTING_LINKS),
    ),
)
async def create_real_estate(
    body: RealEstateCreate,
    user: CurrentUserDep,
    listings: RealEstateServiceDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Register a listing as a draft owned by the caller (collectors and admins).

    Send an `Idempotency-Key` to make retries safe: however often the request is
    repeated, one listing is created and every retry gets its answer.
    """
    request = keyed(idempotency_key, "createRealEstate", body)
    respond = partial(_created, url=listings.photo_url)
    created = await listings.create(user, body.command(), respond=respond, request=request)
    return send(ok_or_raise(created))


def _created(listing: RealEstate, *, url: PhotoUrl) -> StoredResponse:
    headers = {"Location": f"/api/v1{BASE}/{listing.id}", "ETag": etag(listing.version)}
    # A listing just registered is nobody's favourite yet; its owner is the one shown it.
    document = listing_document(listing, url, favorite_count=0)
    return stored(document, status_code=status.HTTP_201_CREATED, headers=headers)


@router.get(
    BASE,
    operation_id="searchRealEstates",
    response_model=RealEstatePage,
    summary="Search published listings",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, InvalidCursor),
    openapi_extra=OPTIONAL_SIGN_IN,
)
async def search_real_estates(
    params: Annotated[SearchParams, Query()],
    listings: RealEstateServiceDep,
    _viewer: OptionalUserDep,
) -> JSONDocument:
    """Published listings matching the filters, a page at a time (anyone may call this).

    Walk the pages by passing each `next_cursor` back as `cursor` with the same
    filters and sort; a cursor is refused (422 `INVALID_CURSOR`) with any other.
    No token is needed; a token that is sent must be valid, as everywhere.
    """
    page = await listings.search(
        params.filters(), sort=params.sort, limit=params.limit, cursor=params.cursor
    )
    return JSONDocument(page_document(ok_or_raise(page), listings.photo_url))


@router.get(
    "/users/me/real-estates",
    operation_id="listMyRealEstates",
    response_model=RealEstatePage,
    summary="List my listings",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, InvalidCursor),
)
async def list_my_real_estates(
    params: Annotated[PageParams, Query()], user: CurrentUserDep, listings: RealEstateServiceDep
) -> JSONDocument:
    """The caller's own listings of any status, newest first."""
    page = await listings.list_own(user, limit=params.limit, cursor=params.cursor)
    return JSONDocument(page_document(ok_or_raise(page), listings.photo_url))


@router.get(
    f"{BASE}/{{listing_id}}",
    operation_id="getRealEstate",
    response_model=RealEstateRead,
    summary="Show a listing",
    responses=merge_responses(
        problem_responses(*SIGNED_IN_PROBLEMS, RealEstateNotFound), SHOWS_LISTING
    ),
    openapi_extra=OPTIONAL_SIGN_IN,
)
async def read_real_estate(
    listing_id: UUID, viewer: OptionalUserDep, listings: RealEstateServiceDep
) -> JSONDocument:
    """One listing with its `ETag`. Drafts and archived listings only for their owner and admins."""
    return _one(ok_or_raise(await listings.get(listing_id, viewer)), listings.photo_url)


@router.patch(
    f"{BASE}/{{listing_id}}",
    operation_id="updateRealEstate",
    response_model=RealEstateRead,
    summary="Edit a listing",
    responses=merge_responses(
        problem_responses(*EDIT_PROBLEMS, PreconditionRequired), SHOWS_LISTING
    ),
)
async def update_real_estate(
    listing_id: UUID,
    body: RealEstateUpdate,
    user: CurrentUserDep,
    expected_versions: RequiredVersionsDep,
    listings: RealEstateServiceDep,
) -> JSONDocument:
    """Change some fields (owner or admin).

    `If-Match` is required, with the `ETag` of your last read: if someone changed the
    listing since, nothing changes and the answer is 412. `If-Match: *` skips the check.
    """
    updated = await listings.update(
        listing_id, user, body.changes(), expected_versions=expected_versions
    )
    return _one(ok_or_raise(updated), listings.photo_url)


class _Move(Protocol):
    """A workflow use case of the listing service (publish, archive, draft)."""

    async def __call__(
        self,
        service: RealEstateService,
        listing_id: UUID,
        actor: User,
        /,
        *,
        expected_versions: Collection[int] | None,
    ) -> Result[ListingView, MoveError]: ...


def _move_route(path: str, use_case: _Move, *, operation_id: str, summary: str) -> None:
    async def move(
        listing_id: UUID,
        user: CurrentUserDep,
        expected_versions: ExpectedVersionsDep,
        listings: RealEstateServiceDep,
    ) -> JSONDocument:
        moved = await use_case(listings, listing_id, user, expected_versions=expected_versions)
        return _one(ok_or_raise(moved), listings.photo_url)

    move.__doc__ = f"{use_case.__doc__} Invalid moves are a 409 `INVALID_STATUS_TRANSITION`."
    router.add_api_route(
        f"{BASE}/{{listing_id}}/{path}",
        move,
        methods=["POST"],
        name=f"{path}_real_estate",
        operation_id=operation_id,
        summary=summary,
        response_model=RealEstateRead,
        responses=merge_responses(
            problem_responses(*EDIT_PROBLEMS, InvalidStatusTransition), SHOWS_LISTING
        ),
    )


_move_route(
    "publish",
    RealEstateService.publish,
    operation_id="publishRealEstate",
    summary="Publish a listing",
)
_move_route(
    "archive",
    RealEstateService.archive,
    operation_id="archiveRealEstate",
    summary="Archive a listing",
)
_move_route(
    "draft",
    RealEstateService.draft,
    operation_id="draftRealEstate",
    summary="Return a listing to draft",
)


@router.delete(
    f"{BASE}/{{listing_id}}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteRealEstate",
    summary="Delete a listing",
    responses=problem_responses(*ADMIN_PROBLEMS, RealEstateNotFound),
)
async def delete_real_estate(
    listing_id: UUID, user: CurrentUserDep, listings: RealEstateServiceDep
) -> Response:
    """Delete a listing (owner or admin)."""
    ok_or_raise(await listings.delete(listing_id, user))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
