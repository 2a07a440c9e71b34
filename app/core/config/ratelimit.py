"""Rate limits: named policies in the `limits` notation, counted in Redis or in memory.

A policy such as `5/minute;50/hour` is several windows; a request passes when every
window has room, and then counts in each. Counters live in Redis when `REDIS_URL`
is set (shared by every worker and replica), otherwise in the process. When the
store fails or is slow, requests pass (the limits fail open): an outage of Redis
never takes sign-in down with it; it is logged and counted in `/metrics`.
"""

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from app.core.config.settings import Settings

logger = logging.getLogger("app.ratelimit")

STORE_TIMEOUT_SECONDS = 0.25


@dataclass(frozen=True)
class Policy:
    """A named set of windows, e.g. `sign-in` = 20 per minute and 200 per hour."""

    name: str
    windows: tuple[RateLimitItem, ...]

    @classmethod
    def parse(cls, name: str, text: str) -> Self:
        """A policy from the `limits` notation (`5/minute;50/hour`).

        Raises:
            ValueError: `text` is not in that notation.
        """
        return cls(name, tuple(parse_many(text)))


@dataclass(frozen=True)
class Verdict:
    """Whether a request may go on, and what its tightest window says about it."""

    allowed: bool
    policy: Policy
    limit: int = 0
    remaining: int = 0
    reset_seconds: int = 0
    known: bool = True  # False when the store could not be asked: nothing to report

    @property
    def headers(self) -> dict[str, str]:
        """The IETF `RateLimit-Policy` and `RateLimit` fields, plus `Retry-After` on refusal."""
        if not self.known:
            return {}
        headers = {
            "RateLimit-Policy": ", ".join(
                f'"{self.policy.name}";q={item.amount};w={item.get_expiry()}'
                for item in self.policy.windows
            ),
            "RateLimit": f'"{self.policy.name}";r={self.remaining};t={self.reset_seconds}',
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, self.reset_seconds))
        return headers


class RateLimiter:
    """Counts requests against policies, per key (a client address, a CPF and address)."""

    def __init__(
        self,
        storage: Storage,
        *,
        enabled: bool = True,
        on_store_error: Callable[[], None] = lambda: None,
    ) -> None:
        """Count in `storage`; `on_store_error` is told each time the store fails."""
        self._storage = storage
        self._strategy = SlidingWindowCounterRateLimiter(storage)
        self._enabled = enabled
        self._on_store_error = on_store_error

    @classmethod
    def in_memory(cls, *, enabled: bool = True) -> Self:
        """A limiter counting in this process only."""
        return cls(MemoryStorage(), enabled=enabled)

    @classmethod
    def over_redis(
        cls, url: str, *, enabled: bool = True, on_store_error: Callable[[], None]
    ) -> Self:
        """A limiter counting in the Redis at `url`, shared by every process that uses it."""
        storage = RedisStorage(
            f"async+{url}",
            implementation="redispy",
            wrap_exceptions=True,
            socket_timeout=STORE_TIMEOUT_SECONDS,
            socket_connect_timeout=STORE_TIMEOUT_SECONDS,
        )
        return cls(storage, enabled=enabled, on_store_error=on_store_error)

    async def hit(self, policy: Policy, *key: str) -> Verdict:
        """Count one request of `key` if every window of `policy` has room; say whether it did."""
        return await self._ask(policy, key, consume=True)

    async def check(self, policy: Policy, *key: str) -> Verdict:
        """Whether a request of `key` would pass `policy`, without counting it."""
        return await self._ask(policy, key, consume=False)

    async def _ask(self, policy: Policy, key: tuple[str, ...], *, consume: bool) -> Verdict:
        if not self._enabled:
            return Verdict(True, policy, known=False)
        try:
            async with asyncio.timeout(STORE_TIMEOUT_SECONDS * 2):
                return await self._verdict(policy, key, consume=consume)
        except Exception:  # the store is down or slow: fail open, loudly
            logger.warning("rate limit store unavailable; letting the request through")
            self._on_store_error()
            return Verdict(True, policy, known=False)

    async def _verdict(self, policy: Policy, key: tuple[str, ...], *, consume: bool) -> Verdict:
        identifiers = (policy.name, *key)
        for window in policy.windows:
            if not await self._strategy.test(window, *identifiers):
                return await self._report(policy, window, identifiers, allowed=False)
        if consume:
            for window in policy.windows:
                await self._strategy.hit(window, *identifiers)
        tightest = min(policy.windows, key=lambda window: window.amount)
        return await self._report(policy, tightest, identifiers, allowed=True)

    async def _report(
        self,
        policy: Policy,
        window: RateLimitItem,
        identifiers: tuple[str, ...],
        *,
        allowed: bool,
    ) -> Verdict:
        stats = await self._strategy.get_window_stats(window, *identifiers)
        # A window just begun reports its reset as now: it really ends a window later.
        reset = math.ceil(stats.reset_time - time.time())
        reset = reset if reset > 0 else window.get_expiry()
        return Verdict(allowed, policy, window.amount, stats.remaining, reset)


@dataclass(frozen=True)
class RateLimits:
    """The policies of the settings, and the limiter that counts them."""

    limiter: RateLimiter
    sign_in: Policy
    sign_in_failures: Policy
    refresh: Policy
    sign_up: Policy
    inquiries: Policy

    @classmethod
    def from_settings(
        cls, settings: Settings, *, on_store_error: Callable[[], None] = lambda: None
    ) -> Self:
        """The limits the settings describe, counted in Redis when `REDIS_URL` is set."""
        enabled = settings.rate_limit_enabled
        if settings.redis_url is None:
            limiter = RateLimiter.in_memory(enabled=enabled)
        else:
            url = settings.redis_url.get_secret_value()
            limiter = RateLimiter.over_redis(url, enabled=enabled, on_store_error=on_store_error)
        return cls(
            limiter=limiter,
            sign_in=Policy.parse("sign-in", settings.sign_in_limit_per_address),
            sign_in_failures=Policy.parse(
                "sign-in-failures", settings.sign_in_failure_limit_per_cpf
            ),
            refresh=Policy.parse("refresh", settings.refresh_limit_per_address),
            sign_up=Policy.parse("sign-up", settings.sign_up_limit_per_address),
            inquiries=Policy.parse("inquiries", f"{settings.inquiries_per_hour}/hour"),
        )
