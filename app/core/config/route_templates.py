"""Full path templates of matched routes, e.g. `/api/v1/real-estates/{listing_id}`."""

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from starlette.routing import Match
from starlette.types import Scope


class _Template(Protocol):
    path: str

    def matches(self, scope: Scope) -> tuple[Match, Scope]: ...


class RouteTemplates:
    """Resolve a request's matched route to its full path template, cheaply.

    Since FastAPI 0.136, `scope["route"]` is the route as its own router declared it,
    without the prefixes of the routers that include it. Like
    prometheus-fastapi-instrumentator, the full template is found among the app's
    effective routes, but once per route object instead of once per request.
    """

    def __init__(self) -> None:
        # Keyed by id (routes compare by value, so they are unhashable); the route is
        # kept alongside so that a recycled id never answers for another route.
        self._inclusions: dict[int, tuple[object, tuple[_Template, ...]]] = {}

    def template(self, scope: Scope) -> str | None:
        """The full template of the route `scope` was matched to, if any.

        Args:
            scope: The request's ASGI scope, after the app has routed it.

        Returns:
            The template with every router prefix, or None when no route matched.
        """
        route = scope.get("route")
        if route is None:
            return None
        cached = self._inclusions.get(id(route))
        if cached is None or cached[0] is not route:
            routes = getattr(scope.get("app"), "routes", ())
            cached = (route, tuple(_inclusions(routes, route)))
            self._inclusions[id(route)] = cached
        inclusions = cached[1]
        if len(inclusions) == 1:
            return inclusions[0].path
        # Declared on the app itself (no inclusion), or one router included under
        # several prefixes: then the request's path tells which inclusion served it.
        matching = [i.path for i in inclusions if i.matches(scope)[0] is not Match.NONE]
        return matching[0] if matching else getattr(route, "path", None)


def _inclusions(routes: Iterable[Any], route: object) -> Iterator[_Template]:
    """The effective (fully prefixed) routes of the app that serve `route`."""
    for candidate in routes:
        # FastAPI >= 0.136 keeps an included router as one entry that lists its routes
        # with their full paths; older versions copied them into the app, prefixed.
        contexts = getattr(candidate, "effective_route_contexts", None)
        if contexts is None:
            continue
        for context in contexts():
            if context.original_route is route:
                yield context.starlette_route or context
