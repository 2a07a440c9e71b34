"""Per-address rate limits, as route dependencies, and how the routes declare them."""

from collections.abc import Callable

from fastapi import Depends, Request, Response
from fastapi.params import Depends as DependsParam

from app.core.config.ratelimit import Policy, RateLimits
from app.core.errors.catalogue import TooManyRequests
from app.core.errors.openapi import problem_responses
from app.core.openapi import (
    RATE_LIMIT,
    RATE_LIMIT_POLICY,
    RETRY_AFTER,
    Responses,
    merge_responses,
    sends,
)
from app.routers.dependencies import components_of
from app.routers.v1.auth.dependencies import CurrentUserDep

PolicyOf = Callable[[RateLimits], Policy]


def per_address(policy_of: PolicyOf) -> DependsParam:
    """A dependency counting the request against a policy, per client address.

    Past the limit it answers 429 `TOO_MANY_REQUESTS` with `Retry-After`; either way
    the response carries the `RateLimit-Policy` and `RateLimit` headers.
    """

    async def limit(request: Request, response: Response) -> None:
        components = components_of(request)
        address = components.addresses.of(request.scope) or "unknown"
        verdict = await components.limits.limiter.hit(policy_of(components.limits), address)
        if not verdict.allowed:
            raise TooManyRequests(
                "Too many requests from this address; retry after `Retry-After` seconds.",
                headers=verdict.headers,
            )
        response.headers.update(verdict.headers)

    dependency: DependsParam = Depends(limit)
    return dependency


def per_user(policy_of: PolicyOf) -> DependsParam:
    """A dependency counting the signed-in user's request against a policy.

    Past the limit it answers 429 `TOO_MANY_REQUESTS` with `Retry-After`. It returns
    the `RateLimit-Policy` and `RateLimit` headers, for the route to add to its answer
    (a route that returns its own `Response` does not get the injected one's headers).
    """

    async def limit(request: Request, user: CurrentUserDep) -> dict[str, str]:
        components = components_of(request)
        verdict = await components.limits.limiter.hit(policy_of(components.limits), str(user.id))
        if not verdict.allowed:
            raise TooManyRequests(
                "You sent too many of these; retry after `Retry-After` seconds.",
                headers=verdict.headers,
            )
        return verdict.headers

    dependency: DependsParam = Depends(limit)
    return dependency


def limited_responses(status: int) -> Responses:
    """The `responses=` entries of a rate-limited route answering `status` when it passes."""
    return merge_responses(
        problem_responses(TooManyRequests),
        sends(status, RATE_LIMIT_POLICY, RATE_LIMIT),
        sends(429, RETRY_AFTER, RATE_LIMIT_POLICY, RATE_LIMIT),
    )


SIGN_IN_LIMIT = per_address(lambda limits: limits.sign_in)
REFRESH_LIMIT = per_address(lambda limits: limits.refresh)
SIGN_UP_LIMIT = per_address(lambda limits: limits.sign_up)
INQUIRY_LIMIT = per_user(lambda limits: limits.inquiries)
