"""Liveness and readiness probes for orchestrators and load balancers."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from app.core.config.db.health import database_problem
from app.core.errors.catalogue import NotReady
from app.core.errors.openapi import problem_responses
from app.core.openapi import RETRY_AFTER, merge_responses, sends

router = APIRouter(prefix="/health", tags=["operations"])


class HealthStatus(BaseModel):
    """The probe's verdict."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    status: str = "ok"


@router.get("/live", operation_id="checkLiveness", summary="Liveness probe")
async def live() -> HealthStatus:
    """The process is up and serving HTTP (it checks nothing else)."""
    return HealthStatus()


@router.get(
    "/ready",
    operation_id="checkReadiness",
    summary="Readiness probe",
    responses=merge_responses(problem_responses(NotReady), sends(503, RETRY_AFTER)),
)
async def ready(request: Request) -> HealthStatus:
    """The database answers within the configured bound and its schema is at head."""
    state = request.app.state
    problem = await database_problem(
        state.engine,
        expected_head=state.expected_head,
        within_seconds=state.settings.health_check_timeout_seconds,
    )
    if problem is not None:
        raise NotReady(problem, headers={"Retry-After": "5"})
    return HealthStatus()
