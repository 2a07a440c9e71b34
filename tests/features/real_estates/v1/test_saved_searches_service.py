"""Saved-search use cases and their repository, over the real PostgreSQL."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from result import Err, Ok
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.db.database import Database
from app.features.real_estates.search import Circle, ListingFilters, ListingSort
from app.features.saved_searches.exceptions import SavedSearchNotFound, TooManySavedSearches
from app.features.saved_searches.model import SavedSearch
from app.features.saved_searches.repository import SavedSearchRepository
from app.features.saved_searches.service import SavedSearchService
from app.features.shared.timestamps import utcnow
from app.features.users.model import User
from app.wiring import Components, build_saved_search_service
from tests.conftest import MakeUser
from tests.features.real_estates.v1.conftest import MakeListing

FILTERS = ListingFilters(city="São Paulo", min_area=Decimal("50"))


@pytest.fixture
def searches(session: AsyncSession, components: Components) -> SavedSearchService:
    """The saved-search service over the test session."""
    return build_saved_search_service(Database.over(session), components)


async def test_criteria_are_kept_as_given_and_read_back_the_same(
    searches: SavedSearchService, re_owner: User
) -> None:
    circle = ListingFilters(near=Circle(lat=-23.5, lng=-46.6, radius_km=3), min_bedrooms=2)

    saved = (await searches.create(re_owner, "Perto", circle, ListingSort.DISTANCE)).unwrap()
    found = (await searches.get(re_owner, saved.search.id)).unwrap()

    assert ListingFilters.from_criteria(found.search.criteria) == circle
    assert found.search.sort == "distance"


async def test_new_count_counts_matching_listings_published_since_last_seen(
    searches: SavedSearchService, re_owner: User, re_make_listing: MakeListing
) -> None:
    saved = (await searches.create(re_owner, "SP", FILTERS, ListingSort.NEWEST)).unwrap()
    since = saved.search.last_seen_at
    await re_make_listing(city="São Paulo", published_at=since + timedelta(minutes=1))
    await re_make_listing(city="São Paulo", published_at=since - timedelta(minutes=1))
    await re_make_listing(city="Campinas", published_at=since + timedelta(minutes=1))

    found = (await searches.get(re_owner, saved.search.id)).unwrap()

    assert found.new_count == 1


async def test_the_first_page_of_matches_marks_seen_and_later_pages_do_not(
    searches: SavedSearchService, re_owner: User, re_make_listing: MakeListing
) -> None:
    saved = (await searches.create(re_owner, "SP", FILTERS, ListingSort.NEWEST)).unwrap()
    an_hour_ago = utcnow() - timedelta(hours=1)
    saved.search.last_seen_at = an_hour_ago
    for minutes in (1, 2, 3):
        await re_make_listing(
            city="São Paulo", published_at=an_hour_ago + timedelta(minutes=minutes)
        )
    first = (await searches.matches(re_owner, saved.search.id, limit=2, cursor=None)).unwrap()
    assert (await searches.get(re_owner, saved.search.id)).unwrap().new_count == 0
    saved.search.last_seen_at = an_hour_ago

    second = await searches.matches(re_owner, saved.search.id, limit=2, cursor=first.next_cursor)

    assert len(first.items) == 2
    assert isinstance(second, Ok)
    assert len(second.ok_value.items) == 1
    assert (await searches.get(re_owner, saved.search.id)).unwrap().new_count == 3


async def test_another_users_search_is_not_found_by_any_use_case(
    searches: SavedSearchService, re_owner: User, make_user: MakeUser
) -> None:
    other = await make_user(name="Outra Pessoa")
    saved = (await searches.create(re_owner, "SP", FILTERS, ListingSort.NEWEST)).unwrap()
    search_id = saved.search.id

    assert await searches.get(other, search_id) == Err(SavedSearchNotFound())
    assert await searches.rename(other, search_id, "Minha") == Err(SavedSearchNotFound())
    assert await searches.delete(other, search_id) == Err(SavedSearchNotFound())
    matches = await searches.matches(other, search_id, limit=5, cursor=None)
    assert matches == Err(SavedSearchNotFound())
    assert (await searches.get(re_owner, search_id)).unwrap().search.name == "SP"
    assert await searches.get(re_owner, uuid4()) == Err(SavedSearchNotFound())


async def test_the_limit_counts_only_the_users_own_searches(
    searches: SavedSearchService,
    re_owner: User,
    make_user: MakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.features.saved_searches import service

    monkeypatch.setattr(service, "MAX_SAVED_SEARCHES", 1)
    other = await make_user(name="Outra Pessoa")
    assert isinstance(await searches.create(other, "A", FILTERS, ListingSort.NEWEST), Ok)

    mine = await searches.create(re_owner, "B", FILTERS, ListingSort.NEWEST)
    again = await searches.create(re_owner, "C", FILTERS, ListingSort.NEWEST)

    assert isinstance(mine, Ok)
    assert again == Err(TooManySavedSearches())


async def test_the_repository_pages_newest_first_per_user(
    session: AsyncSession, searches: SavedSearchService, re_owner: User, make_user: MakeUser
) -> None:
    other = await make_user(name="Outra Pessoa")
    made: list[SavedSearch] = []
    for name in ("um", "dois", "tres"):
        view = (await searches.create(re_owner, name, FILTERS, ListingSort.NEWEST)).unwrap()
        view.search.created_at = utcnow() + timedelta(seconds=len(made))
        made.append(view.search)
    await searches.create(other, "alheia", FILTERS, ListingSort.NEWEST)
    await session.flush()
    repository = SavedSearchRepository(Database.over(session))

    first = await repository.page(re_owner.id, after=None, limit=2)
    rest = await repository.page(re_owner.id, after=(first[-1].created_at, first[-1].id), limit=2)

    assert [search.name for search in [*first, *rest]] == ["tres", "dois", "um"]
