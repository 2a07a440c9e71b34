"""The admins' list of every listing and unpublishing, at the repository and service layers."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from result import Err, Ok
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors.catalogue import Forbidden, InvalidCursor
from app.features.audit.model import AuditAction, AuditEvent
from app.features.real_estates.exceptions import InvalidStatusTransition
from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.search import AdminListingFilters
from app.features.real_estates.service import RealEstateService
from app.features.users.model import User
from tests.conftest import MakeUser
from tests.features.real_estates.v1.conftest import START, Actor, MakeListing, stored
from tests.features.real_estates.v1.test_real_estates_explain import explain, populate

REASON = "Fotos de outro imóvel; envie as deste."


async def _catalogue(make: MakeListing, other: User) -> dict[str, RealEstate]:
    listings = {
        "published": await make(title="Casa com piscina"),
        "draft": await make(status=ListingStatus.DRAFT, title="Rascunho com piscina"),
        "archived": await make(status=ListingStatus.ARCHIVED, title="Sobrado arquivado"),
        "others": await make(owner_id=other.id, title="Apartamento de outra pessoa"),
    }
    return listings


async def _age(session: AsyncSession, listings: dict[str, RealEstate]) -> None:
    # Registered a day apart, in the catalogue's order (the oldest first).
    for days, listing in enumerate(listings.values()):
        await session.execute(
            update(RealEstate)
            .where(RealEstate.id == listing.id)
            .values(created_at=START + timedelta(days=days))
        )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["others", "archived", "draft", "published"]),
        ({"status": ListingStatus.DRAFT}, ["draft"]),
        ({"q": "piscinas"}, ["draft", "published"]),
        ({"owner": True}, ["archived", "draft", "published"]),
        ({"created_from": 1, "created_until": 3}, ["archived", "draft"]),
    ],
    ids=["all", "status", "full-text-any-status", "owner", "created-window"],
)
async def test_list_all_filters_listings_of_any_status_newest_first(
    re_repository: RealEstateRepository,
    re_make_listing: MakeListing,
    re_owner: User,
    make_user: MakeUser,
    session: AsyncSession,
    filters: dict[str, Any],
    expected: list[str],
) -> None:
    listings = await _catalogue(re_make_listing, await make_user(name="Other Owner"))
    await _age(session, listings)
    if filters.pop("owner", False):
        filters["owner_id"] = re_owner.id
    for bound in ("created_from", "created_until"):
        if bound in filters:
            filters[bound] = START + timedelta(days=filters[bound])

    found = await re_repository.list_all(AdminListingFilters(**filters), after=None, limit=10)

    names = {listing.id: name for name, listing in listings.items()}
    assert [names[listing.id] for listing in found] == expected


async def test_list_all_pages_with_cursors_bound_to_the_filters(
    re_service: RealEstateService, re_make_listing: MakeListing, session: AsyncSession
) -> None:
    listings = {str(n): await re_make_listing(status=ListingStatus.DRAFT) for n in range(3)}
    await _age(session, listings)
    drafts = AdminListingFilters(status=ListingStatus.DRAFT)

    first = (await re_service.list_all(drafts, limit=2, cursor=None)).unwrap()
    second = (await re_service.list_all(drafts, limit=2, cursor=first.next_cursor)).unwrap()
    elsewhere = await re_service.list_all(AdminListingFilters(), limit=2, cursor=first.next_cursor)

    assert [x.id for x in first.items + second.items] == [listings[n].id for n in "210"]
    assert second.next_cursor is None
    assert isinstance(elsewhere, Err)
    assert isinstance(elsewhere.err_value, InvalidCursor)


async def test_unpublish_returns_a_published_listing_to_draft_with_the_reason_and_audits_it(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_actor: Actor,
    session: AsyncSession,
) -> None:
    listing = await re_make_listing()
    admin = await re_actor("admin")
    assert admin is not None

    result = await re_service.unpublish(listing.id, admin, REASON, expected_versions=None)

    assert isinstance(result, Ok)
    row = await stored(
        session,
        listing.id,
        RealEstate.status,
        RealEstate.published_at,
        RealEstate.moderation_reason,
        RealEstate.version,
    )
    assert row == (ListingStatus.DRAFT, None, REASON, 2)
    assert result.ok_value.listing.moderation_reason == REASON
    [event] = await session.scalars(
        select(AuditEvent).where(AuditEvent.target == f"listing:{listing.id}")
    )
    assert event.action == AuditAction.LISTING_UNPUBLISHED_BY_ADMIN.value
    assert event.actor_id == admin.id
    assert event.details == {"owner_id": str(listing.owner_id), "reason": REASON}


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.ARCHIVED])
async def test_unpublish_of_a_listing_that_is_not_published_is_an_invalid_transition(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_actor: Actor,
    session: AsyncSession,
    status: ListingStatus,
) -> None:
    listing = await re_make_listing(status=status)
    admin = await re_actor("admin")
    assert admin is not None

    result = await re_service.unpublish(listing.id, admin, REASON, expected_versions=None)

    assert isinstance(result, Err)
    assert isinstance(result.err_value, InvalidStatusTransition)
    assert await stored(session, listing.id, RealEstate.status, RealEstate.version) == (status, 1)


async def test_only_admins_unpublish(
    re_service: RealEstateService, re_make_listing: MakeListing, re_actor: Actor
) -> None:
    listing = await re_make_listing()
    owner = await re_actor("owner")
    assert owner is not None

    result = await re_service.unpublish(listing.id, owner, REASON, expected_versions=None)

    assert isinstance(result, Err)
    assert isinstance(result.err_value, Forbidden)


async def test_publishing_again_clears_the_reason(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_actor: Actor,
    session: AsyncSession,
) -> None:
    listing = await re_make_listing()
    admin, owner = await re_actor("admin"), await re_actor("owner")
    assert admin is not None
    assert owner is not None
    await re_service.unpublish(listing.id, admin, REASON, expected_versions=None)

    published = await re_service.publish(listing.id, owner, expected_versions=None)

    assert isinstance(published, Ok)
    assert published.ok_value.listing.moderation_reason is None
    row = await stored(session, listing.id, RealEstate.status, RealEstate.moderation_reason)
    assert row == (ListingStatus.PUBLISHED, None)


async def test_the_database_keeps_a_reason_on_drafts_only(
    re_make_listing: MakeListing, session: AsyncSession
) -> None:
    listing = await re_make_listing()

    with pytest.raises(Exception, match="moderation_reason_on_draft"):
        async with session.begin_nested():
            await session.execute(
                update(RealEstate)
                .where(RealEstate.id == listing.id)
                .values(moderation_reason=REASON)
            )


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, "ix_real_estates_created"),
        ({"q": "piscinas"}, "ix_real_estates_search_all"),
    ],
    ids=["newest", "full-text"],
)
async def test_the_admins_list_reads_through_an_index(
    session: AsyncSession,
    re_repository: RealEstateRepository,
    re_owner: User,
    re_statements: list[tuple[str, Any]],
    filters: dict[str, Any],
    index: str,
) -> None:
    await populate(session, re_owner)
    await asyncio.sleep(0)  # let the driver report what came before
    re_statements.clear()
    await re_repository.list_all(AdminListingFilters(**filters), after=None, limit=20)
    await asyncio.sleep(0)  # the driver reports statements on the next loop turn
    [(statement, parameters)] = re_statements

    nodes = await explain(session, statement, parameters)

    assert all(node["Node Type"] != "Seq Scan" for node in nodes)
    assert index in {node["Index Name"] for node in nodes if "Index Name" in node}
