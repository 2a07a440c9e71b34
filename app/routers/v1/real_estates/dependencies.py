"""Builds the listing service for a request; reads ETag preconditions."""

from typing import Annotated

from fastapi import Depends, Header

from app.core.config.dependencies import ComponentsDep, SessionDep
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.service import RealEstateService
from app.features.shared.unit_of_work import UnitOfWork

NO_VERSION_MATCHES = -1


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


def get_expected_version(
    if_match: Annotated[
        str | None,
        Header(
            description='The listing\'s ETag (e.g. "3") from your last read; on a mismatch '
            "nothing changes and the answer is 412."
        ),
    ] = None,
) -> int | None:
    """The version an `If-Match` header demands; None when absent or `*`."""
    if if_match is None or if_match.strip() == "*":
        return None
    for tag in if_match.split(","):
        value = tag.strip().removeprefix("W/").strip('"')
        if value.isdigit():
            return int(value)
    return NO_VERSION_MATCHES


ExpectedVersionDep = Annotated[int | None, Depends(get_expected_version)]
