"""Realistic, reproducible listings for demos and benchmarks."""

import math
import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any
from uuid import UUID

from result import Err, Ok
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config.db.database import Database
from app.features.real_estates.commands import Address
from app.features.real_estates.model import ListingStatus, PropertyKind, Purpose, State
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.seed_data import (
    AREA_PER_BEDROOM,
    AREA_RANGE,
    CITIES,
    CITY_RADIUS_DEGREES,
    FEATURES,
    KIND_WEIGHTS,
    KIND_WORDS,
    PRICE_PER_M2,
    RURAL_RADIUS_DEGREES,
    STREETS,
)
from app.features.shared.cpf import Cpf, cpf_from_number
from app.features.shared.utils.password_hasher import PasswordHasher
from app.features.users.model import User
from app.features.users.repository import UserRepository

_KINDS = list(KIND_WEIGHTS)
_KIND_WEIGHTS = list(KIND_WEIGHTS.values())


COPY_COLUMNS = (
    "id", "owner_id", "title", "description", "kind", "purpose", "status", "price_cents",
    "condo_fee_cents", "iptu_cents", "area_m2", "built_area_m2", "bedrooms", "bathrooms",
    "parking_spaces", "street", "number", "complement", "neighborhood", "city", "state",
    "postal_code", "city_key", "neighborhood_key", "lat", "lng", "version", "created_at",
    "updated_at", "published_at",
)  # fmt: skip


@dataclass(frozen=True)
class SeedPlan:
    """How many listings to make, for whom, and how they are spread."""

    count: int
    owner_ids: list[UUID]
    seed: int = 42
    published_share: float = 0.85
    archived_share: float = 0.05


def listing_ids(seed: int) -> Iterator[UUID]:
    """The ids of the listings of `seed`, in order, without end.

    They come from a stream of their own, so the n-th listing of a seed has the same
    id whatever the count and the owners asked for: a re-run finds what it inserted.
    """
    rng = random.Random(f"listing ids of seed {seed}")  # noqa: S311 - demo data
    while True:
        yield UUID(int=rng.getrandbits(128), version=4)


def listing_rows(plan: SeedPlan) -> Iterator[tuple[Any, ...]]:
    """Yield `plan.count` listing rows in COPY_COLUMNS order, deterministic for `plan.seed`."""
    rng = random.Random(plan.seed)  # noqa: S311 - demo data, not security
    now = datetime.now(UTC)
    for listing_id in islice(listing_ids(plan.seed), plan.count):
        row = {"id": listing_id, **_listing(rng, plan, now)}
        yield tuple(row[column] for column in COPY_COLUMNS)


def _status(rng: random.Random, plan: SeedPlan) -> ListingStatus:
    roll = rng.random()
    if roll < plan.published_share:
        return ListingStatus.PUBLISHED
    if roll < plan.published_share + plan.archived_share:
        return ListingStatus.ARCHIVED
    return ListingStatus.DRAFT


def _price_cents(rng: random.Random, kind: PropertyKind, purpose: Purpose, area: Decimal) -> int:
    price = int(area * rng.randint(*PRICE_PER_M2[kind]))
    if purpose is Purpose.RENT:
        price = max(50000, price // 200)  # monthly rent, roughly 0.5 % of the value
    return price // 1000 * 1000


def _area(rng: random.Random, kind: PropertyKind, rooms: int) -> Decimal:
    """An area plausible for the kind and, for homes, the number of bedrooms."""
    if kind in AREA_PER_BEDROOM:
        base, (low, high) = AREA_PER_BEDROOM[kind]
        metres = base + sum(rng.uniform(low, high) for _ in range(rooms))
        return Decimal(round(metres * 100)) / 100
    low, high = AREA_RANGE[kind]
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _near(
    rng: random.Random, centre: tuple[float, float], kind: PropertyKind
) -> tuple[float, float]:
    """A point around the city centre: within a few km, farther out for rural land."""
    radius = RURAL_RADIUS_DEGREES if kind is PropertyKind.RURAL else CITY_RADIUS_DEGREES
    distance, angle = radius * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    lat = centre[0] + distance * math.sin(angle)
    # A degree of longitude shrinks with the latitude's cosine.
    lng = centre[1] + distance * math.cos(angle) / math.cos(math.radians(centre[0]))
    return round(lat, 6), round(lng, 6)


def _listing(rng: random.Random, plan: SeedPlan, now: datetime) -> dict[str, Any]:
    kind = rng.choices(_KINDS, _KIND_WEIGHTS)[0]
    city, state, centre, neighborhoods = rng.choice(CITIES)
    neighborhood = rng.choice(neighborhoods)
    purpose = Purpose.RENT if rng.random() < 0.3 else Purpose.SALE
    rooms = 0 if kind in (PropertyKind.LAND, PropertyKind.COMMERCIAL) else rng.randint(1, 5)
    area = _area(rng, kind, rooms)
    price = _price_cents(rng, kind, purpose, area)
    lat, lng = _near(rng, centre, kind)
    status = _status(rng, plan)
    created = now - timedelta(seconds=rng.randint(3600, 730 * 86400))
    word = KIND_WORDS[kind]
    title = f"{word} em {neighborhood}"
    if rooms:
        title = f"{word} com {rooms} {'quarto' if rooms == 1 else 'quartos'} em {neighborhood}"
    description = (
        f"{word} {rng.choice(FEATURES)}, {area} m² em {neighborhood}, {city}. "
        f"Ótima localização, {rng.choice(FEATURES)} e {rng.choice(FEATURES)}."
    )
    published = created + timedelta(hours=rng.randint(1, 72))
    return {
        "owner_id": rng.choice(plan.owner_ids),
        "title": title,
        "description": description,
        "kind": kind.value,
        "purpose": purpose.value,
        "status": status.value,
        "price_cents": price,
        "condo_fee_cents": (rng.randint(20000, 300000) if kind is PropertyKind.APARTMENT else None),
        "iptu_cents": price // 100 if purpose is Purpose.SALE else None,
        "area_m2": area,
        "built_area_m2": None if kind in (PropertyKind.LAND, PropertyKind.RURAL) else area,
        "bedrooms": rooms,
        "bathrooms": max(1, rooms - 1),
        "parking_spaces": rng.randint(0, 4),
        **Address(
            street=rng.choice(STREETS),
            number=str(rng.randint(1, 4000)),
            neighborhood=neighborhood,
            city=city,
            state=State(state),
            postal_code=f"{rng.randint(1000000, 99999999):08d}",
        ).columns(),
        "lat": lat,
        "lng": lng,
        "version": 1,
        "created_at": created,
        "updated_at": created,
        "published_at": published if status is ListingStatus.PUBLISHED else None,
    }


SEED_CPF_BASE = 900_000_000


@dataclass(frozen=True)
class SeedOwners:
    """The demo collectors who own the seeded listings."""

    ids: list[UUID]
    cpfs: list[Cpf]
    created: int


@dataclass(frozen=True)
class SeedReport:
    """What a seeding run did."""

    inserted: int
    already_there: int
    owners: SeedOwners


def seed_owner_cpfs(count: int) -> list[Cpf]:
    """The CPFs of the first `count` demo owners, always the same ones."""
    return [cpf_from_number(SEED_CPF_BASE + index) for index in range(count)]


async def ensure_seed_owners(
    users: UserRepository, hasher: PasswordHasher, count: int, *, password: str | None = None
) -> SeedOwners:
    """The `count` demo collectors, creating the missing ones.

    With `password`, every one of them (new or already there) signs in with it;
    without, new ones get a random password nobody knows and existing ones keep theirs.
    """
    password_hash = await hasher.hash(password or secrets.token_urlsafe(32))
    cpfs = seed_owner_cpfs(count)
    owner_ids = []
    created = 0
    for index, cpf in enumerate(cpfs):
        found = await users.get_by_cpf(cpf)
        if isinstance(found, Ok):
            owner = found.ok_value
            if password is not None:
                owner.password_hash = password_hash  # written when the seeder commits
            owner_ids.append(owner.id)
            continue
        owner = User(
            name=f"Corretor Demonstração {index + 1}", cpf=cpf, password_hash=password_hash
        )
        added = await users.add(owner)
        if isinstance(added, Err):  # only if another seeder created it meanwhile
            raise RuntimeError(added.err_value.detail)
        owner_ids.append(added.ok_value.id)
        created += 1
    return SeedOwners(ids=owner_ids, cpfs=cpfs, created=created)


async def seed_listings(
    sessions: async_sessionmaker[AsyncSession],
    hasher: PasswordHasher,
    *,
    count: int,
    owners: int,
    seed: int,
    batch_size: int,
    on_batch: Callable[[int], None],
    owner_password: str | None = None,
) -> SeedReport:
    """Insert the first `count` listings of `seed` with COPY, in one transaction per batch.

    Listings of this seed that are already in the database (same id) are skipped, so
    a re-run adds only what is missing and another seed adds new listings.
    """
    async with sessions() as session:
        seed_owners = await ensure_seed_owners(
            UserRepository(Database.over(session)), hasher, owners, password=owner_password
        )
        await session.commit()
    rows = listing_rows(SeedPlan(count=count, owner_ids=seed_owners.ids, seed=seed))
    inserted = 0
    id_index = COPY_COLUMNS.index("id")
    # Runs insert a prefix of their seed's listings, so after a batch with none of them
    # stored the later ones have none either: a fresh load asks only once.
    looking = True
    while batch := list(islice(rows, batch_size)):
        async with sessions() as session:
            listings = RealEstateRepository(Database.over(session))
            present = set()
            if looking:
                present = await listings.existing_ids([row[id_index] for row in batch])
                looking = bool(present)
            missing = [row for row in batch if row[id_index] not in present]
            if missing:
                await listings.copy_rows(COPY_COLUMNS, missing)
                await session.commit()
            inserted += len(missing)
        on_batch(len(batch))
    if inserted:
        async with sessions() as session:
            await RealEstateRepository(Database.over(session)).vacuum_analyze()
    return SeedReport(inserted=inserted, already_there=count - inserted, owners=seed_owners)
