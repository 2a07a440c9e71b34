"""The listing service of a request, and the ETag preconditions it is given."""

import re
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.exceptions import RequestValidationError

from app.core.config.dependencies import database_of
from app.features.real_estates.service import RealEstateService
from app.routers.dependencies import components_of
from app.routers.v1.validation import Omittable
from app.wiring import build_real_estate_service

MAX_VERSION_DIGITS = 9


async def get_real_estate_service(request: Request) -> RealEstateService:
    """The listing service over this request's database."""
    return build_real_estate_service(database_of(request), components_of(request))


RealEstateServiceDep = Annotated[RealEstateService, Depends(get_real_estate_service)]


def etag(version: int) -> str:
    """The entity tag of a listing at `version`."""
    return f'"{version}"'


# An entity tag as RFC 9110 writes it: optionally weak, then quoted visible characters
# (a comma among them: a list is split by the grammar, never at every comma).
_ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
_TAGS = re.compile(_ENTITY_TAG)
_TAG_LIST = re.compile(rf"[ \t]*{_ENTITY_TAG}(?:[ \t]*,[ \t]*{_ENTITY_TAG})*[ \t]*")
IF_MATCH_PATTERN = rf"^[ \t]*\*[ \t]*$|^{_TAG_LIST.pattern}$"
"""`*` or a list of entity tags: the document states what `_expected_versions` reads."""
IF_MATCH_FORM = 'the ETag of your last read, in quotes: If-Match: "3" (a list, or *, also works)'


def _expected_versions(if_match: str) -> frozenset[int] | None:
    """The versions an `If-Match` value accepts; None for `*`.

    Comparison is strong (RFC 9110): weak tags (`W/"3"`) and tags this API never
    issues are well-formed but match nothing, so they end in 412. A value that is not
    an entity tag at all (`3`, `abc`) is the client's mistake, refused with the form.

    Raises:
        RequestValidationError: the value is not a list of entity tags (answered 422).
    """
    if if_match.strip() == "*":
        return None
    if not _TAG_LIST.fullmatch(if_match):
        message = f"If-Match takes {IF_MATCH_FORM}"
        location = ("header", "if-match")
        raise RequestValidationError(
            [{"type": "value_error", "loc": location, "msg": message, "input": None}]
        )
    tags = _TAGS.findall(if_match)
    return frozenset(int(tag[1:-1]) for tag in tags if _is_version_tag(tag))


IF_MATCH_DESCRIPTION = (
    'The listing\'s ETag (e.g. "3") from your last read; on a mismatch nothing changes '
    "and the answer is 412. Several tags may be listed. Comparison is strong: a weak tag "
    '(W/"3") matches nothing; * matches any version (last write wins).'
)

# Stated in the document only: `_expected_versions` answers other values with its own
# 422 that shows the form, rather than a bare "does not match pattern".
_IF_MATCH_SCHEMA: dict[str, Any] = {"pattern": IF_MATCH_PATTERN}


async def get_expected_versions(
    if_match: Annotated[
        Omittable[str],
        Header(description=IF_MATCH_DESCRIPTION, json_schema_extra=_IF_MATCH_SCHEMA),
    ] = None,
) -> frozenset[int] | None:
    """The versions the request's `If-Match` accepts; None when it is absent or `*`."""
    return None if if_match is None else _expected_versions(if_match)


async def get_required_versions(
    if_match: Annotated[
        str,
        Header(
            description=f"{IF_MATCH_DESCRIPTION} Required: without it, 428.",
            json_schema_extra=_IF_MATCH_SCHEMA,
        ),
    ],
) -> frozenset[int] | None:
    """The versions `If-Match` accepts, for operations that do not run without it.

    A missing header is a validation error that the problem handler answers with 428
    `PRECONDITION_REQUIRED` when it is the request's only fault.
    """
    return _expected_versions(if_match)


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
RequiredVersionsDep = Annotated[frozenset[int] | None, Depends(get_required_versions)]
