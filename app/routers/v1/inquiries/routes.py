"""Inquiry routes: a signed-in searcher writes to a listing's collector, who reads it."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from app.core.errors.catalogue import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    InvalidCursor,
    UserNotFound,
)
from app.core.errors.openapi import problem_responses
from app.core.errors.results import ok_or_raise
from app.core.openapi import IDEMPOTENT_REPLAYED, LOCATION, merge_responses, sends
from app.features.idempotency.response import StoredResponse
from app.features.inquiries.exceptions import InquiryExists, InquiryNotFound, OwnListing
from app.features.inquiries.model import Inquiry
from app.features.real_estates.exceptions import RealEstateNotFound
from app.routers.v1.auth.dependencies import SIGNED_IN_PROBLEMS, CurrentUserDep
from app.routers.v1.idempotency import IdempotencyKeyHeader, keyed, send, stored
from app.routers.v1.inquiries.dependencies import InquiryServiceDep
from app.routers.v1.inquiries.schemas import (
    InquiryCreate,
    ReceivedInquiry,
    ReceivedInquiryPage,
    ReceivedParams,
    SentInquiry,
    SentInquiryPage,
    SentParams,
)
from app.routers.v1.limits import INQUIRY_LIMIT, limited_responses

router = APIRouter(tags=["inquiries"])

RECEIVED = "/users/me/inquiries/received"
SENT = "/users/me/inquiries/sent"


@router.post(
    "/real-estates/{listing_id}/inquiries",
    status_code=status.HTTP_201_CREATED,
    response_model=SentInquiry,
    operation_id="sendInquiry",
    summary="Send an inquiry about a listing",
    responses=merge_responses(
        problem_responses(
            *SIGNED_IN_PROBLEMS,
            RealEstateNotFound,
            OwnListing,
            InquiryExists,
            UserNotFound,
            IdempotencyKeyReused,
            IdempotencyKeyInUse,
        ),
        sends(201, LOCATION, IDEMPOTENT_REPLAYED),
        limited_responses(201),
    ),
)
async def send_inquiry(
    listing_id: UUID,
    body: InquiryCreate,
    user: CurrentUserDep,
    inquiries: InquiryServiceDep,
    limit_headers: Annotated[dict[str, str], INQUIRY_LIMIT],
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Write to the collector of a published listing (signed in; not your own listing).

    One inquiry per listing: a second is a 409 `INQUIRY_EXISTS` whose `inquiry_id`
    names the first. The collector sees your name and phone, never your CPF or e-mail.
    Send an `Idempotency-Key` to make retries safe: a retry gets the first answer.
    At most `INQUIRIES_PER_HOUR` (20) requests per hour per user; then 429.
    """
    request = keyed(idempotency_key, f"sendInquiry:{listing_id}", body)
    sent = await inquiries.send(user, listing_id, body.command(), respond=_sent, request=request)
    response = send(ok_or_raise(sent))
    response.headers.update(limit_headers)
    return response


def _sent(inquiry: Inquiry) -> StoredResponse:
    headers = {"Location": f"/api/v1{SENT}?listing_id={inquiry.listing_id}"}
    document = SentInquiry.of(inquiry).model_dump(mode="json")
    return stored(document, status_code=status.HTTP_201_CREATED, headers=headers)


@router.get(
    RECEIVED,
    operation_id="listReceivedInquiries",
    summary="List the inquiries I received",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, InvalidCursor),
)
async def list_received_inquiries(
    params: Annotated[ReceivedParams, Query()], user: CurrentUserDep, inquiries: InquiryServiceDep
) -> ReceivedInquiryPage:
    """Inquiries about my listings, newest first, with the senders' names and phones."""
    page = await inquiries.list_received(
        user, params.filters(), limit=params.limit, cursor=params.cursor
    )
    return ReceivedInquiryPage.of(ok_or_raise(page))


@router.get(
    SENT,
    operation_id="listSentInquiries",
    summary="List the inquiries I sent",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, InvalidCursor),
)
async def list_sent_inquiries(
    params: Annotated[SentParams, Query()], user: CurrentUserDep, inquiries: InquiryServiceDep
) -> SentInquiryPage:
    """Inquiries I sent, newest first; they outlive the listing and the collector's account."""
    page = await inquiries.list_sent(
        user, params.filters(), limit=params.limit, cursor=params.cursor
    )
    return SentInquiryPage.of(ok_or_raise(page))


@router.post(
    f"{RECEIVED}/{{inquiry_id}}/read",
    operation_id="markInquiryRead",
    summary="Mark a received inquiry read",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, InquiryNotFound),
)
async def mark_inquiry_read(
    inquiry_id: UUID, user: CurrentUserDep, inquiries: InquiryServiceDep
) -> ReceivedInquiry:
    """Mark an inquiry I received read; again changes nothing (`read_at` stays the first time).

    Only the collector it was sent to may: anyone else gets 404 `INQUIRY_NOT_FOUND`.
    """
    return ReceivedInquiry.of(ok_or_raise(await inquiries.mark_read(user, inquiry_id)))
