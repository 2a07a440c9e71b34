"""RealEstateService: drafts, visibility, versioned edits, workflow and races."""

import asyncio
from collections.abc import Collection, Mapping
from typing import Any
from uuid import UUID

import pytest
from result import Err, Ok
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config.db.database import Database
from app.core.errors.catalogue import Forbidden
from app.features.audit.repository import AuditRepository
from app.features.favorites.repository import FavoriteRepository
from app.features.real_estates.commands import ListingChanges
from app.features.real_estates.exceptions import (
    InvalidStatusTransition,
    RealEstateNotFound,
    StaleVersion,
)
from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.service import ListingView, RealEstateService
from app.features.shared.unit_of_work import UnitOfWork
from app.features.users.model import User
from app.wiring import Components, build_idempotency
from tests.features.real_estates.v1.conftest import (
    START,
    Actor,
    MakeListing,
    answer_with_id,
    listing_command,
    stored,
)

STATE = (RealEstate.status, RealEstate.version, RealEstate.published_at, RealEstate.title)


async def test_create_registers_a_draft_owned_by_the_owner_with_search_keys(
    re_service: RealEstateService, re_owner: User, session: AsyncSession
) -> None:
    command = listing_command(city="  São   PAULO", neighborhood="Jardim Paulistânia")

    answer = (await re_service.create(re_owner, command, respond=answer_with_id)).unwrap()

    listing = await session.get_one(RealEstate, UUID(answer.body.decode()))
    assert answer.status_code == 201
    assert await stored(session, listing.id, RealEstate.owner_id) == (re_owner.id,)
    assert await stored(session, listing.id, *STATE) == (
        ListingStatus.DRAFT,
        1,
        None,
        command.title,
    )
    keys = await stored(session, listing.id, RealEstate.city_key, RealEstate.neighborhood_key)
    assert keys == ("sao paulo", "jardim paulistania")


@pytest.mark.parametrize("status", list(ListingStatus))
@pytest.mark.parametrize("viewer", ["owner", "admin", "other", "nobody"])
async def test_get_shows_published_listings_to_anyone_and_others_to_managers_only(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_actor: Actor,
    status: ListingStatus,
    viewer: str,
) -> None:
    listing = await re_make_listing(status=status)
    who = await re_actor(viewer)

    found = await re_service.get(listing.id, who)

    visible = status is ListingStatus.PUBLISHED or viewer in ("owner", "admin")
    # The favourites count is its managers' only, and counted for nobody else.
    count = 0 if viewer in ("owner", "admin") else None
    assert found == (Ok(ListingView(listing, count)) if visible else Err(RealEstateNotFound()))


@pytest.mark.parametrize(
    ("who", "status", "error"),
    [
        ("owner", ListingStatus.DRAFT, None),
        ("admin", ListingStatus.PUBLISHED, None),
        ("other", ListingStatus.PUBLISHED, Forbidden),
        ("other", ListingStatus.DRAFT, RealEstateNotFound),
    ],
)
async def test_update_changes_fields_keys_and_version_only_for_managers(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_actor: Actor,
    session: AsyncSession,
    who: str,
    status: ListingStatus,
    error: type[Exception] | None,
) -> None:
    listing = await re_make_listing(status=status)
    editor = await re_actor(who)
    assert editor is not None
    changes = ListingChanges(title="Casa nova", address=listing_command(city="Niterói").address)

    result = await re_service.update(listing.id, editor, changes, expected_versions={1})

    row = await stored(
        session, listing.id, RealEstate.title, RealEstate.city_key, RealEstate.version
    )
    if error is None:
        assert isinstance(result, Ok)
        assert row == ("Casa nova", "niteroi", 2)
    else:
        assert isinstance(result, Err)
        assert isinstance(result.err_value, error)
        assert row == ("Apartamento com varanda", "sao paulo", 1)


async def test_update_with_a_stale_version_is_stale_version_and_changes_nothing(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_owner: User,
    session: AsyncSession,
) -> None:
    listing = await re_make_listing(version=2)
    before = await stored(session, listing.id, *STATE, RealEstate.updated_at)

    result = await re_service.update(
        listing.id, re_owner, ListingChanges(title="Outra"), expected_versions={1}
    )

    assert result == Err(StaleVersion())
    assert await stored(session, listing.id, *STATE, RealEstate.updated_at) == before


MOVES = {
    "publish": RealEstateService.publish,
    "archive": RealEstateService.archive,
    "draft": RealEstateService.draft,
}
ALLOWED = {
    (ListingStatus.DRAFT, "publish"): ListingStatus.PUBLISHED,
    (ListingStatus.PUBLISHED, "archive"): ListingStatus.ARCHIVED,
    (ListingStatus.ARCHIVED, "draft"): ListingStatus.DRAFT,
}


@pytest.mark.parametrize("start", list(ListingStatus))
@pytest.mark.parametrize("action", ["publish", "archive", "draft"])
async def test_transition_follows_the_workflow_and_refuses_every_other_move(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_owner: User,
    session: AsyncSession,
    start: ListingStatus,
    action: str,
) -> None:
    listing = await re_make_listing(status=start)
    before = await stored(session, listing.id, *STATE)

    result = await MOVES[action](re_service, listing.id, re_owner, expected_versions={1})

    after = await stored(session, listing.id, *STATE)
    if (target := ALLOWED.get((start, action))) is not None:
        assert isinstance(result, Ok)
        assert after is not None
        status, version, published_at, _ = after
        assert (status, version) == (target, 2)
        assert (published_at is not None) is (target is ListingStatus.PUBLISHED)
        assert published_at != START
    else:
        assert isinstance(result, Err)
        assert isinstance(result.err_value, InvalidStatusTransition)
        assert after == before


@pytest.mark.parametrize("expected_versions", [None, {1}], ids=["no-if-match", "if-match"])
@pytest.mark.parametrize("action", ["publish", "archive", "draft"])
async def test_a_listing_deleted_during_a_move_is_not_found_not_a_conflict(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_owner: User,
    session: AsyncSession,
    action: str,
    expected_versions: set[int] | None,
) -> None:
    start = {"publish": ListingStatus.DRAFT, "archive": ListingStatus.PUBLISHED}
    listing = await re_make_listing(status=start.get(action, ListingStatus.ARCHIVED))
    # Gone from the table, still in the session's identity map: the move reads it, then
    # finds nothing to update, as when another request deletes it in between.
    await session.execute(
        delete(RealEstate)
        .where(RealEstate.id == listing.id)
        .execution_options(synchronize_session=False)
    )

    result = await MOVES[action](
        re_service, listing.id, re_owner, expected_versions=expected_versions
    )

    assert result == Err(RealEstateNotFound())


@pytest.mark.parametrize(
    ("who", "status", "error"),
    [
        ("owner", ListingStatus.DRAFT, None),
        ("admin", ListingStatus.PUBLISHED, None),
        ("other", ListingStatus.PUBLISHED, Forbidden),
        ("other", ListingStatus.ARCHIVED, RealEstateNotFound),
    ],
)
async def test_delete_removes_the_listing_only_for_its_managers(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_actor: Actor,
    session: AsyncSession,
    who: str,
    status: ListingStatus,
    error: type[Exception] | None,
) -> None:
    listing = await re_make_listing(status=status)
    deleter = await re_actor(who)
    assert deleter is not None

    result = await re_service.delete(listing.id, deleter)

    if error is None:
        assert result == Ok(None)
        assert await stored(session, listing.id) is None
    else:
        assert isinstance(result, Err)
        assert isinstance(result.err_value, error)
        assert await stored(session, listing.id) == (listing.id,)


class WritesAfterBothRead(RealEstateRepository):
    """Holds each writer at its UPDATE until every writer has read the listing."""

    def __init__(self, database: Database, barrier: asyncio.Barrier) -> None:
        super().__init__(database)
        self._barrier = barrier

    async def update_versioned(
        self,
        listing_id: UUID,
        values: Mapping[str, Any],
        *,
        expected_versions: Collection[int] | None,
    ) -> RealEstate | None:
        await self._barrier.wait()
        return await super().update_versioned(
            listing_id, values, expected_versions=expected_versions
        )


async def test_concurrent_updates_with_the_same_version_let_exactly_one_win(
    engine: AsyncEngine, components: Components, re_committed_listing: tuple[User, RealEstate]
) -> None:
    owner, listing = re_committed_listing
    barrier = asyncio.Barrier(2)

    async def edit(title: str) -> Any:
        async with AsyncSession(engine, expire_on_commit=False) as own_session:
            database = Database.over(own_session)
            service = RealEstateService(
                uow=UnitOfWork(database),
                listings=WritesAfterBothRead(database, barrier),
                cursors=components.cursors,
                audit=AuditRepository(database, components.addresses),
                idempotency=build_idempotency(database, components),
                photo_url=components.storage.url,
                favorites=FavoriteRepository(database),
            )
            return await service.update(listing.id, owner, {"title": title}, expected_versions={1})

    async with asyncio.timeout(60):
        results = await asyncio.gather(edit("Alpha"), edit("Beta"))

    winners = [result.ok_value.listing.title for result in results if isinstance(result, Ok)]
    assert len(winners) == 1
    assert [result for result in results if isinstance(result, Err)] == [Err(StaleVersion())]
    async with AsyncSession(engine) as check:
        row = await stored(check, listing.id, RealEstate.title, RealEstate.version)
    assert row == (winners[0], 2)


@pytest.mark.parametrize("viewer", ["nobody", "other", "owner", "admin"])
async def test_get_counts_favourites_only_for_managers_in_one_more_statement(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_actor: Actor,
    re_statements: list[tuple[str, Any]],
    viewer: str,
) -> None:
    listing = await re_make_listing()
    who = await re_actor(viewer)
    await asyncio.sleep(0)  # let the driver report what came before
    re_statements.clear()

    await re_service.get(listing.id, who)
    await asyncio.sleep(0)  # the driver reports statements on the next loop turn

    # Savepoints of the test's own transaction aside; the driver reports its reads late,
    # so the order of the two kinds is not the order they were sent in.
    statements = [sql for sql, _ in re_statements if "SAVEPOINT" not in sql]
    reads = [sql for sql in statements if sql.startswith("SELECT real_estates.")]
    counts = [sql for sql in statements if "count(*)" in sql and "FROM favorites" in sql]
    assert len(reads) == 1
    assert len(counts) == (1 if viewer in ("owner", "admin") else 0)
    assert len(statements) == len(reads) + len(counts)
