"""Liveness and readiness probes for orchestrators and load balancers."""

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.core.config.db.health import database_problem
from app.core.errors.catalogue import NotReady
from app.core.errors.openapi import problem_responses

router = APIRouter(prefix="/health", tags=["operations"])


class HealthStatus(BaseModel):
    """The probe's verdict."""

    status: str = "ok"


@router.get("/live")
async def live() -> HealthStatus:
    """The process is up and serving HTTP (it checks nothing else)."""
    return HealthStatus()


@router.get("/ready", responses=problem_responses(NotReady))
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
