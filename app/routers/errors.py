"""Documentation of each error code, where problem `type` URIs point."""

from fastapi import APIRouter
from pydantic import BaseModel

from app.core.errors.catalogue import CATALOGUE, NotFound
from app.core.errors.openapi import problem_responses

router = APIRouter(prefix="/errors", tags=["errors"])


class ErrorDoc(BaseModel):
    """One entry of the error catalogue."""

    code: str
    status: int
    title: str
    description: str


def _doc(code: str) -> ErrorDoc:
    error = CATALOGUE[code]
    return ErrorDoc(
        code=error.code, status=error.status, title=error.title, description=error.description
    )


@router.get("", operation_id="listErrorCodes", summary="List error codes")
async def list_error_codes() -> list[ErrorDoc]:
    """Every problem `code` the API can return."""
    return [_doc(code) for code in CATALOGUE]


@router.get(
    "/{slug}",
    operation_id="getErrorCode",
    summary="Explain an error code",
    responses=problem_responses(NotFound),
)
async def describe_error(slug: str) -> ErrorDoc:
    """What one problem `code` means (the target of problem `type` URIs)."""
    code = slug.upper().replace("-", "_")
    if code not in CATALOGUE:
        raise NotFound(f"No error code {code!r} in the catalogue.")
    return _doc(code)
