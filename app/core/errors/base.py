"""The base class of every error the API reports to clients."""

from collections.abc import Mapping
from typing import Any, ClassVar


class BaseError(Exception):
    """A failure a client caused and we expected, described by a catalogue entry.

    Subclasses are generated from errors.json: they fix `code`, `status`, `title`,
    `description` and `feature`. An instance adds the occurrence's `detail`, extra
    problem members and response headers.
    """

    code: ClassVar[str]
    status: ClassVar[int]
    title: ClassVar[str]
    description: ClassVar[str]
    feature: ClassVar[str]

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        self.detail = detail or self.description
        self.headers = dict(headers or {})
        self.extensions = extensions
        super().__init__(self.detail)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.detail == self.detail

    def __hash__(self) -> int:
        return hash((type(self), self.detail))
