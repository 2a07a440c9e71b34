"""Data access for real-estate listings."""

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from result import Err, Ok, Result
from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    Uuid,
    and_,
    bindparam,
    delete,
    func,
    literal_column,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError

from app.core.config.db.database import Query
from app.core.config.db.errors import violated_constraint
from app.core.config.db.keyset import keyset_after
from app.core.errors.catalogue import UserNotFound
from app.features.real_estates.exceptions import RealEstateNotFound
from app.features.real_estates.model import PUBLISHED_ONLY, SEARCH_CONFIG, RealEstate
from app.features.real_estates.search import AdminListingFilters, ListingFilters, ListingSort
from app.features.shared.repository import Repository
from app.features.shared.timestamps import utcnow

OWNER_CONSTRAINT = "fk_real_estates_owner_id_users"


class RealEstateRepository(Repository):
    """Reads and writes listings. Never commits."""

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
        listing = await self._database.fetch_one(_BY_ID, {"id": listing_id})
        return Ok(listing) if listing is not None else Err(RealEstateNotFound())

    async def summaries(self, listing_ids: Sequence[UUID]) -> list[RealEstate]:
        """The listings of `listing_ids` that exist, any status, as lists show them (no photos)."""
        if not listing_ids:
            return []
        return await self._database.fetch_all(_SUMMARIES, {"ids": list(listing_ids)})

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
    ) -> list[RealEstate]:
        """Published listings matching `filters`, in `sort` order, after a keyset position."""
        values = filters.applied()
        query = _search_query(frozenset(values), sort, after is not None)
        if after is not None:
            values["after_key"], values["after_id"] = after
        rows = await self._database.fetch_all(query, values | {"limit": limit})
        if sort is not ListingSort.DISTANCE:
            return rows
        return await self._with_whole_last_tie(rows, values, after=after is not None, limit=limit)

    async def count_published_since(self, filters: ListingFilters, since: datetime) -> int:
        """How many listings matching `filters` were published after `since` (by index)."""
        values = filters.applied()
        query = (
            select(func.count())
            .select_from(RealEstate)
            .where(
                PUBLISHED_ONLY,
                RealEstate.published_at > since,
                *_conditions(frozenset(values)),
            )
        )
        return int(await self._session.scalar(query, values) or 0)

    async def _with_whole_last_tie(
        self, rows: list[RealEstate], values: dict[str, Any], *, after: bool, limit: int
    ) -> list[RealEstate]:
        """Nearest-first rows in (distance, id) order, ties at the cut complete.

        The index hands rows out nearest first but cannot break ties by id; listings
        at the same distance (one building) come in any order. When the rows fetched
        end inside such a tie, the whole tie is read, by id, so that every page cuts
        it at the same place.
        """
        rows.sort(key=lambda row: (row.distance_m, row.id))  # type: ignore[attr-defined]
        if len(rows) < max(limit, 2) or rows[-1].distance_m != rows[-2].distance_m:  # type: ignore[attr-defined]
            return rows
        tied = rows[-1].distance_m  # type: ignore[attr-defined]
        query = _tie_query(frozenset(values), after)
        tie = await self._database.fetch_all(query, values | {"tie": tied, "limit": limit})
        return ([row for row in rows if row.distance_m < tied] + tie)[:limit]  # type: ignore[attr-defined]

    async def list_all(
        self, filters: AdminListingFilters, *, after: tuple[Any, UUID] | None, limit: int
    ) -> list[RealEstate]:
        """Listings of any status matching `filters`, newest first (the admins' list)."""
        values = filters.applied()
        query = _admin_query(frozenset(values), after is not None)
        if after is not None:
            values["after_key"], values["after_id"] = after
        return await self._database.fetch_all(query, values | {"limit": limit})

    async def list_by_owner(
        self, owner_id: UUID, *, after: tuple[Any, UUID] | None, limit: int
    ) -> list[RealEstate]:
        """An owner's listings of any status, newest first."""
        values: dict[str, Any] = {"owner_id": owner_id, "limit": limit}
        if after is not None:
            values["after_key"], values["after_id"] = after
        query = _OWN_AFTER if after is not None else _OWN_FIRST
        return await self._database.fetch_all(query, values)


# Every column but the search document (deferred: only the database reads it).
_COLUMNS = [column for column in RealEstate.__table__.columns if column.key != "search_vector"]
_BY_ID = Query.of(select(*_COLUMNS).where(RealEstate.id == bindparam("id")), RealEstate)
# Lists show the cover alone: the photos' summary stays in the table.
_LISTED = [column for column in _COLUMNS if column.key != "photos"]
_SUMMARIES = Query.of(
    select(*_LISTED).where(RealEstate.id == func.any(bindparam("ids", type_=ARRAY(Uuid)))),
    RealEstate,
)


def _owned_query(*, after: bool) -> Query[RealEstate]:
    key = (RealEstate.created_at, RealEstate.id)
    query = select(*_LISTED).where(RealEstate.owner_id == bindparam("owner_id"))
    if after:
        query = query.where(tuple_(*key) < keyset_after(key))
    ordered = query.order_by(*(column.desc() for column in key)).limit(bindparam("limit"))
    return Query.of(ordered, RealEstate)


def search_query(filters: Collection[str], sort: ListingSort, *, after: bool) -> Select[Any]:
    """The SELECT behind the public search, for the filters that are set.

    Its parameters are named after the filters, plus `limit` and, with `after`, the
    keyset position `after_key`, `after_id`. The benchmarks EXPLAIN it.
    """
    near = "near_lat" in filters
    if sort is ListingSort.DISTANCE and not near:
        raise ValueError("sorting by distance needs a `near` point")
    key = (
        _distance() if sort is ListingSort.DISTANCE else getattr(RealEstate, sort.column),
        RealEstate.id,
    )
    columns = [*_LISTED, _distance().label("distance_m")] if near else _LISTED
    query = select(*columns).where(PUBLISHED_ONLY, *_conditions(filters))
    if after:
        position = tuple_(*key)
        query = query.where(
            position < keyset_after(key) if sort.descending else position > keyset_after(key)
        )
    if sort is ListingSort.DISTANCE:
        # Distance alone: the GiST index then hands rows out nearest first and the scan
        # stops at the limit; ties are put in id order afterwards (see search()).
        return query.order_by(key[0]).limit(bindparam("limit"))
    order = [column.desc() if sort.descending else column.asc() for column in key]
    return query.order_by(*order).limit(bindparam("limit"))


@lru_cache(maxsize=256)
def _tie_query(filters: frozenset[str], after: bool) -> Query[RealEstate]:
    """The listings at exactly the distance `tie` (after the keyset position), by id."""
    query = search_query(filters, ListingSort.DISTANCE, after=after)
    tied = query.where(_distance() == bindparam("tie", type_=Float))
    return Query.of(tied.order_by(None).order_by(RealEstate.id), RealEstate)


@lru_cache(maxsize=1024)
def _search_query(filters: frozenset[str], sort: ListingSort, after: bool) -> Query[RealEstate]:
    # One compilation per shape of search: which filters are set, the order, first page or not.
    return Query.of(search_query(filters, sort, after=after), RealEstate)


_SEARCH_CONFIG_SQL: ColumnElement[Any] = literal_column(f"'{SEARCH_CONFIG}'::regconfig")
# How each filter narrows the search; its value is bound under the filter's name.
_CONDITIONS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "q": lambda: RealEstate.search_vector.bool_op("@@")(
        func.websearch_to_tsquery(_SEARCH_CONFIG_SQL, bindparam("q"))
    ),
    "city": lambda: RealEstate.city_key == bindparam("city"),
    "neighborhood": lambda: RealEstate.neighborhood_key == bindparam("neighborhood"),
    "state": lambda: RealEstate.state == bindparam("state"),
    "kind": lambda: RealEstate.kind == bindparam("kind"),
    "purpose": lambda: RealEstate.purpose == bindparam("purpose"),
    "min_price": lambda: RealEstate.price_cents >= bindparam("min_price"),
    "max_price": lambda: RealEstate.price_cents <= bindparam("max_price"),
    "min_bedrooms": lambda: RealEstate.bedrooms >= bindparam("min_bedrooms"),
    "min_area": lambda: RealEstate.area_m2 >= bindparam("min_area"),
    "max_area": lambda: RealEstate.area_m2 <= bindparam("max_area"),
    "min_bathrooms": lambda: RealEstate.bathrooms >= bindparam("min_bathrooms"),
    "min_parking_spaces": lambda: RealEstate.parking_spaces >= bindparam("min_parking_spaces"),
    "max_condo_fee": lambda: (
        func.coalesce(RealEstate.condo_fee_cents, literal_column("0")) <= bindparam("max_condo_fee")
    ),
    "has_photos": lambda: RealEstate.cover_thumbnail_key.is_not(None) == bindparam("has_photos"),
    # A box and a circle bind several values: the first of them names the condition.
    "bbox_west": lambda: _POINT.op("<@")(
        func.box(
            func.point(bindparam("bbox_west"), bindparam("bbox_south")),
            func.point(bindparam("bbox_east"), bindparam("bbox_north")),
        )
    ),
    "near_lat": lambda: and_(
        func.earth_box(_centre(), _radius_m()).op("@>")(_EARTH),
        func.earth_distance(_centre(), _EARTH) <= _radius_m(),
    ),
}

# Where each listing is, as the two GiST indexes of the map search store it: a planar
# point (lng, lat) for boxes, a point on the earth's surface (earthdistance) for circles.
_POINT: ColumnElement[Any] = func.point(RealEstate.lng, RealEstate.lat)
_EARTH: ColumnElement[Any] = func.ll_to_earth(RealEstate.lat, RealEstate.lng)


def _radius_m() -> ColumnElement[Any]:
    # Compiled statements take named parameters only: the factor is written in the SQL.
    return bindparam("near_radius_km", type_=Float) * literal_column("1000")


def _centre() -> ColumnElement[Any]:
    return func.ll_to_earth(bindparam("near_lat"), bindparam("near_lng"))


def _distance() -> ColumnElement[float]:
    """Straight-line metres through the earth to the `near` point.

    Ordered like the great-circle distance, and what the GiST index hands out
    nearest first.
    """
    return _EARTH.op("<->", return_type=Float)(_centre())


def _conditions(filters: Collection[str]) -> list[ColumnElement[bool]]:
    return [condition() for name, condition in _CONDITIONS.items() if name in filters]


# The admins' filters, over every status: `q` is served by the GIN index over all rows.
_ADMIN_CONDITIONS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "owner_id": lambda: RealEstate.owner_id == bindparam("owner_id"),
    "status": lambda: RealEstate.status == bindparam("status"),
    "q": _CONDITIONS["q"],
    "created_from": lambda: RealEstate.created_at >= bindparam("created_from"),
    "created_until": lambda: RealEstate.created_at < bindparam("created_until"),
}


def admin_query(filters: Collection[str], *, after: bool) -> Select[Any]:
    """The SELECT behind the admins' list (any status, newest first), for the filters set."""
    key = (RealEstate.created_at, RealEstate.id)
    conditions = [condition() for name, condition in _ADMIN_CONDITIONS.items() if name in filters]
    query = select(*_LISTED).where(*conditions)
    if after:
        query = query.where(tuple_(*key) < keyset_after(key))
    return query.order_by(*(column.desc() for column in key)).limit(bindparam("limit"))


@lru_cache(maxsize=64)
def _admin_query(filters: frozenset[str], after: bool) -> Query[RealEstate]:
    return Query.of(admin_query(filters, after=after), RealEstate)


_OWN_FIRST, _OWN_AFTER = _owned_query(after=False), _owned_query(after=True)
