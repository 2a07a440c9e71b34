"""Data access for real-estate listings."""

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from result import Err, Ok, Result
from sqlalchemy import ColumnElement, Select, delete, func, literal_column, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.real_estates.exceptions import RealEstateNotFound
from app.features.real_estates.model import SEARCH_CONFIG, ListingStatus, RealEstate
from app.features.real_estates.search import ListingFilters, ListingSort
from app.features.shared.text import search_key
from app.features.shared.timestamps import utcnow


class RealEstateRepository:
    """Reads and writes listings. Never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, listing: RealEstate) -> RealEstate:
        """Insert a listing."""
        self._session.add(listing)
        await self._session.flush()
        return listing

    async def get(self, listing_id: UUID) -> Result[RealEstate, RealEstateNotFound]:
        """Find a listing by id, whatever its status."""
        listing = await self._session.get(RealEstate, listing_id)
        return Ok(listing) if listing is not None else Err(RealEstateNotFound())

    async def update_versioned(
        self, listing_id: UUID, values: Mapping[str, Any], *, expected_version: int | None
    ) -> RealEstate | None:
        """Apply `values` and bump the version in one UPDATE; None when the version moved on.

        Checking and bumping in the same statement leaves no window between read and
        write: of two writers holding the same version, exactly one matches.
        """
        statement = (
            update(RealEstate)
            .where(RealEstate.id == listing_id)
            .values(**values, version=RealEstate.version + 1, updated_at=utcnow())
            .returning(RealEstate)
        )
        if expected_version is not None:
            statement = statement.where(RealEstate.version == expected_version)
        result = await self._session.execute(
            statement, execution_options={"populate_existing": True, "synchronize_session": False}
        )
        return result.scalar_one_or_none()

    async def delete(self, listing_id: UUID) -> None:
        """Remove a listing."""
        await self._session.execute(delete(RealEstate).where(RealEstate.id == listing_id))

    async def search(
        self,
        filters: ListingFilters,
        *,
        sort: ListingSort,
        after: tuple[Any, UUID] | None,
        limit: int,
    ) -> Sequence[RealEstate]:
        """Published listings matching `filters`, in `sort` order, after a keyset position."""
        query = select(RealEstate).where(RealEstate.status == ListingStatus.PUBLISHED)
        query = query.where(*_conditions(filters))
        return await self._page(query, sort=sort, after=after, limit=limit)

    async def list_by_owner(
        self, owner_id: UUID, *, after: tuple[Any, UUID] | None, limit: int
    ) -> Sequence[RealEstate]:
        """An owner's listings of any status, newest first."""
        key = (RealEstate.created_at, RealEstate.id)
        query = select(RealEstate).where(RealEstate.owner_id == owner_id)
        if after is not None:
            query = query.where(tuple_(*key) < tuple_(*after))
        query = query.order_by(*(column.desc() for column in key)).limit(limit)
        return (await self._session.scalars(query)).all()

    async def _page(
        self,
        query: Select[RealEstate],
        *,
        sort: ListingSort,
        after: tuple[Any, UUID] | None,
        limit: int,
    ) -> Sequence[RealEstate]:
        key = (getattr(RealEstate, sort.column), RealEstate.id)
        if after is not None:
            position = tuple_(*key)
            query = query.where(
                position < tuple_(*after) if sort.descending else position > tuple_(*after)
            )
        order = [column.desc() if sort.descending else column.asc() for column in key]
        return (await self._session.scalars(query.order_by(*order).limit(limit))).all()


def _conditions(filters: ListingFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.q:
        config: ColumnElement[Any] = literal_column(f"'{SEARCH_CONFIG}'::regconfig")
        query = func.websearch_to_tsquery(config, filters.q)
        conditions.append(RealEstate.search_vector.bool_op("@@")(query))
    if filters.city:
        conditions.append(RealEstate.city_key == search_key(filters.city))
    if filters.neighborhood:
        conditions.append(RealEstate.neighborhood_key == search_key(filters.neighborhood))
    if filters.state is not None:
        conditions.append(RealEstate.state == filters.state)
    if filters.kind is not None:
        conditions.append(RealEstate.kind == filters.kind)
    if filters.purpose is not None:
        conditions.append(RealEstate.purpose == filters.purpose)
    if filters.min_price is not None:
        conditions.append(RealEstate.price_cents >= filters.min_price)
    if filters.max_price is not None:
        conditions.append(RealEstate.price_cents <= filters.max_price)
    if filters.min_bedrooms is not None:
        conditions.append(RealEstate.bedrooms >= filters.min_bedrooms)
    if filters.min_area is not None:
        conditions.append(RealEstate.area_m2 >= filters.min_area)
    if filters.max_area is not None:
        conditions.append(RealEstate.area_m2 <= filters.max_area)
    return conditions
