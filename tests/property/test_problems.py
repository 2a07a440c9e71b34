"""Properties of problem rendering: every catalogue error renders, whatever its text."""

import json
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request

from app.core.errors.base import BaseError
from app.core.errors.catalogue import CATALOGUE
from app.core.errors.problems import PROBLEM_MEDIA_TYPE, REQUEST_ID_HEADER, render_problem
from tests.property import PROPERTY

BASE_URL = "https://errors.example.test"
# The members RFC 9457 and the catalogue define: an extension never replaces them.
STANDARD_MEMBERS = {"type", "title", "status", "detail", "instance", "code", "request_id"}

errors = st.sampled_from(sorted(CATALOGUE.values(), key=lambda error: error.code))
# Any text: unicode of every plane, control characters, NUL, quotes and backslashes.
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
extensions = st.dictionaries(
    st.from_regex(r"[a-z][a-z_]{0,15}", fullmatch=True).filter(lambda k: k not in STANDARD_MEMBERS),
    st.one_of(texts, st.integers(), st.lists(texts, max_size=3)),
    max_size=4,
)
request_ids = st.from_regex(r"[A-Za-z0-9._:-]{1,32}", fullmatch=True)
paths = st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789-_é", max_size=10), max_size=4).map(
    lambda parts: "/" + "/".join(parts)
)


def _request(path: str, request_id: str | None) -> Request:
    settings = SimpleNamespace(problem_type_base_url=BASE_URL)
    app = SimpleNamespace(state=SimpleNamespace(settings=settings))
    state: dict[str, Any] = {} if request_id is None else {"request_id": request_id}
    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}
    return Request({**scope, "app": app, "state": state, "server": ("test", 80), "scheme": "http"})


@PROPERTY
@given(errors, texts, extensions, paths, st.none() | request_ids)
def test_any_catalogue_error_renders_a_problem_document_that_keeps_its_text(
    error_class: type[BaseError],
    detail: str,
    members: dict[str, Any],
    path: str,
    request_id: str | None,
) -> None:
    error = error_class(detail, **members)

    response = render_problem(_request(path, request_id), error)

    body = json.loads(bytes(response.body).decode("utf-8"))
    assert response.status_code == error_class.status
    assert response.media_type == PROBLEM_MEDIA_TYPE
    slug = error_class.code.lower().replace("_", "-")
    assert body["type"] == f"{BASE_URL}/errors/{slug}"
    assert body["title"] == error_class.title
    assert body["status"] == error_class.status
    assert body["code"] == error_class.code
    assert body["detail"] == (detail or error_class.description)
    assert body["instance"] == path
    assert {key: body[key] for key in members} == members
    if request_id is None:
        assert "request_id" not in body
    else:
        assert body["request_id"] == request_id
        assert response.headers[REQUEST_ID_HEADER] == request_id


@PROPERTY
@given(errors, texts, st.dictionaries(st.text(max_size=12), texts, max_size=4))
def test_extra_members_of_any_name_and_text_render_as_json(
    error_class: type[BaseError], detail: str, extra: dict[str, str]
) -> None:
    response = render_problem(_request("/x", None), error_class(detail), extra_members=extra)

    body = json.loads(bytes(response.body).decode("utf-8"))
    assert isinstance(body, dict)
    for key, value in extra.items():
        assert body[key] == value
