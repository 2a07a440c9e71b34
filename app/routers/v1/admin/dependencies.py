"""The audit service of a request."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.config.dependencies import database_of
from app.features.audit.service import AuditService
from app.routers.dependencies import components_of
from app.wiring import build_audit_service


async def get_audit_service(request: Request) -> AuditService:
    """The audit service over this request's database."""
    return build_audit_service(database_of(request), components_of(request))


AuditServiceDep = Annotated[AuditService, Depends(get_audit_service)]
