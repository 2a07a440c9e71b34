"""The answer a keyed request got, as it is stored and replayed."""

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StoredResponse:
    """Status, headers and body of a response, to send again byte for byte.

    `replayed` is True when this is the remembered answer to an earlier request.
    """

    status_code: int
    headers: Mapping[str, str]
    body: bytes
    replayed: bool = field(default=False, compare=False)
