"""The inquiry service of a request."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.config.dependencies import database_of
from app.features.inquiries.service import InquiryService
from app.routers.dependencies import components_of
from app.wiring import build_inquiry_service


async def get_inquiry_service(request: Request) -> InquiryService:
    """The inquiry service over this request's database."""
    return build_inquiry_service(database_of(request), components_of(request))


InquiryServiceDep = Annotated[InquiryService, Depends(get_inquiry_service)]
