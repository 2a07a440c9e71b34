"""Data access for real-estate listings."""

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from result import Err, Ok, Result
from sqlalchemy import (
    ColumnElement,
    Select,
    delete,
    func,
    literal_column,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.db.errors import violated_constraint
from app.core.config.db.keyset import keyset
from app.core.errors.catalogue import UserNotFound
from app.features.real_estates.exceptions import RealEstateNotFound
from app.features.real_estates.model import PUBLISHED_ONLY, SEARCH_CONFIG, RealEstate
from app.features.real_estates.search import ListingFilters, ListingSort
from app.features.shared.text import search_key
from app.features.shared.timestamps import utcnow

OWNER_CONSTRAINT = "fk_real_estates_owner_id_users"


class RealEstateRepository:
    """Reads and writes listings. Never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, listing: RealEstate) -> Result[RealEstate, UserNotFound]:
        """Insert a listing; an owner whose account is gone is an Err."""
        try:
            async with self._session.begin_nested():
                self._session.add(listing)
                await self._session.flush()
        except IntegrityError as exc:
            if violated_constraint(exc) == OWNER_CONSTRAINT:
                return Err(UserNotFound("The owner's account no longer exists."))
            raise
        # Read back what PostgreSQL stored (e.g. numeric scale), so the answer matches a GET.
        await self._session.refresh(listing)
        return Ok(listing)

    async def get(self, listing_id: UUID) -> Result[RealEstate, RealEstateNotFound]:
        """Find a listing by id, whatever its status."""
        listing = await self._session.get(RealEstate, listing_id)
        return Ok(listing) if listing is not None else Err(RealEstateNotFound())

    async def exists(self, listing_id: UUID) -> bool:
        """Whether the listing is in the database now (bypassing the session's cache)."""
        found = await self._session.scalar(select(RealEstate.id).where(RealEstate.id == listing_id))
        return found is not None

    async def update_versioned(
        self,
        listing_id: UUID,
        values: Mapping[str, Any],
        *,
        expected_versions: Collection[int] | None,
    ) -> RealEstate | None:
        """Apply `values` and bump the version in one UPDATE; None when the version moved on.

        `expected_versions` None means "any version"; otherwise the row's version must be
        one of them (an `If-Match` header may list several ETags).

        Checking and bumping in the same statement leaves no window between read and
        write: of two writers holding the same version, exactly one matches.
        """
        statement = (
            update(RealEstate)
            .where(RealEstate.id == listing_id)
            .values(**values, version=RealEstate.version + 1, updated_at=utcnow())
            .returning(RealEstate)
        )
        if expected_versions is not None:
            statement = statement.where(RealEstate.version.in_(expected_versions))
        result = await self._session.execute(
            statement, execution_options={"populate_existing": True, "synchronize_session": False}
        )
        return result.scalar_one_or_none()

    async def copy_rows(self, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        """Bulk-load rows with PostgreSQL COPY (seeding); far faster than INSERTs."""
        connection = await self._session.connection()
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            RealEstate.__tablename__, columns=list(columns), records=rows
        )

    async def existing_ids(self, ids: Collection[UUID]) -> set[UUID]:
        """Which of `ids` are already listings (seeding skips them)."""
        found = await self._session.scalars(select(RealEstate.id).where(RealEstate.id.in_(ids)))
        return set(found)

    async def vacuum_analyze(self) -> None:
        """After a bulk load: set hint bits and the visibility map, refresh the statistics.

        VACUUM cannot run inside a transaction, so this needs a session that has not
        begun one; it runs on its own autocommit connection.
        """
        connection = await self._session.connection(
            execution_options={"isolation_level": "AUTOCOMMIT"}
        )
        await connection.execute(text(f"VACUUM (ANALYZE) {RealEstate.__tablename__}"))

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
        query = search_query(filters, sort=sort, after=after, limit=limit)
        return (await self._session.scalars(query)).all()

    async def list_by_owner(
        self, owner_id: UUID, *, after: tuple[Any, UUID] | None, limit: int
    ) -> Sequence[RealEstate]:
        """An owner's listings of any status, newest first."""
        key = (RealEstate.created_at, RealEstate.id)
        query = select(RealEstate).where(RealEstate.owner_id == owner_id)
        if after is not None:
            query = query.where(tuple_(*key) < keyset(after))
        query = query.order_by(*(column.desc() for column in key)).limit(limit)
        return (await self._session.scalars(query)).all()


def search_query(
    filters: ListingFilters, *, sort: ListingSort, after: tuple[Any, UUID] | None, limit: int
) -> Select[tuple[RealEstate]]:
    """The SELECT behind the public search (also used to EXPLAIN it in benchmarks)."""
    key = (getattr(RealEstate, sort.column), RealEstate.id)
    query = select(RealEstate).where(PUBLISHED_ONLY, *_conditions(filters))
    if after is not None:
        position = tuple_(*key)
        query = query.where(
            position < keyset(after) if sort.descending else position > keyset(after)
        )
    order = [column.desc() if sort.descending else column.asc() for column in key]
    return query.order_by(*order).limit(limit)


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
