"""The audit trail, for admins."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.core.errors.catalogue import InvalidCursor
from app.core.errors.openapi import problem_responses
from app.core.errors.results import ok_or_raise
from app.routers.v1.admin.dependencies import AuditServiceDep
from app.routers.v1.admin.schemas import AuditEventPage, AuditQuery
from app.routers.v1.auth.dependencies import ADMIN_PROBLEMS, AdminDep

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get(
    "/audit-events",
    operation_id="listAuditEvents",
    summary="List audit events",
    responses=problem_responses(*ADMIN_PROBLEMS, InvalidCursor),
)
async def list_audit_events(
    query: Annotated[AuditQuery, Query()], _admin: AdminDep, events: AuditServiceDep
) -> AuditEventPage:
    """The append-only audit trail, newest first (admins only).

    Recorded: sign-in failures reaching the limit, refresh-token reuse, password
    changes and resets, role changes, account deletions, sessions ended by admins,
    admins' changes to other people's listings, and listings they unpublished.
    """
    page = await events.list_events(query.filters(), limit=query.limit, cursor=query.cursor)
    return AuditEventPage.of(ok_or_raise(page))
