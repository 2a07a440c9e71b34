"""Builds the listing service for a request; reads ETag preconditions."""

from typing import Annotated

from fastapi import Depends, Header

from app.core.config.dependencies import ComponentsDep, SessionDep
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.service import RealEstateService
from app.features.shared.unit_of_work import UnitOfWork

MAX_VERSION_DIGITS = 9


def get_real_estate_service(session: SessionDep, components: ComponentsDep) -> RealEstateService:
    """Build the listing service for this request."""
    return RealEstateService(
        uow=UnitOfWork(session),
        listings=RealEstateRepository(session),
        cursors=components.cursors,
    )


RealEstateServiceDep = Annotated[RealEstateService, Depends(get_real_estate_service)]


def etag(version: int) -> str:
    """The entity tag of a listing at `version`."""
    return f'"{version}"'


def get_expected_versions(
    if_match: Annotated[
        str | None,
        Header(
            description='The listing\'s ETag (e.g. "3") from your last read; on a mismatch '
            "nothing changes and the answer is 412."
        ),
    ] = None,
) -> frozenset[int] | None:
    """The versions an `If-Match` header accepts; None when it is absent or `*`.

    Comparison is strong (RFC 9110): weak tags (`W/"3"`) and malformed ones match nothing.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    tags = (tag.strip() for tag in if_match.split(","))
    return frozenset(int(tag[1:-1]) for tag in tags if _is_version_tag(tag))


def _is_version_tag(tag: str) -> bool:
    # ASCII digits only ("²" is a digit to str.isdigit), short enough for an int4 version.
    inner = tag[1:-1]
    return (
        len(tag) > 2
        and tag[0] == tag[-1] == '"'
        and inner.isascii()
        and inner.isdigit()
        and len(inner) <= MAX_VERSION_DIGITS
    )


ExpectedVersionsDep = Annotated[frozenset[int] | None, Depends(get_expected_versions)]
