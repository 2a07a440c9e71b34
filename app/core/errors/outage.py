"""A database outage in the logs: a summary at most every few seconds."""

import logging
import time
from collections.abc import Callable

logger = logging.getLogger("app.errors")

REPORT_INTERVAL_SECONDS = 10.0


class OutageLog:
    """Counts the requests refused because the database is unavailable, and reports them.

    The first refusal is reported at once; later ones at most every `interval_seconds`,
    as how many were refused since the last report: an operator reads when an
    outage began and how much it cost without thousands of identical lines.
    """

    def __init__(
        self,
        *,
        interval_seconds: float = REPORT_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Report at most every `interval_seconds` by `clock`."""
        self._interval = interval_seconds
        self._clock = clock
        self._refused = 0
        self._reported_at: float | None = None

    def refused(self, cause: str) -> None:
        """A request was answered 503 because of `cause` (the driver's error class)."""
        self._refused += 1
        now = self._clock()
        if self._reported_at is not None and now - self._reported_at < self._interval:
            return
        logger.error(
            "database outage: %d request(s) refused since the last report (last error: %s)",
            self._refused,
            cause,
        )
        self._refused = 0
        self._reported_at = now
