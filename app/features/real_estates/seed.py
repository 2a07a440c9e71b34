"""Realistic, reproducible listings for demos and benchmarks."""

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

from app.features.real_estates.commands import Address
from app.features.real_estates.model import ListingStatus, PropertyKind, Purpose, State
from app.features.real_estates.repository import RealEstateRepository
from app.features.shared.cpf import cpf_from_number
from app.features.shared.utils.password_hasher import PasswordHasher
from app.features.users.model import User
from app.features.users.repository import UserRepository

CITIES: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "São Paulo",
        "SP",
        (
            "Pinheiros",
            "Moema",
            "Vila Mariana",
            "Itaim Bibi",
            "Tatuapé",
            "Santana",
            "Butantã",
            "Bela Vista",
            "Perdizes",
            "Mooca",
        ),
    ),
    (
        "Rio de Janeiro",
        "RJ",
        (
            "Copacabana",
            "Ipanema",
            "Leblon",
            "Botafogo",
            "Tijuca",
            "Barra da Tijuca",
            "Flamengo",
            "Méier",
        ),
    ),
    ("Belo Horizonte", "MG", ("Savassi", "Lourdes", "Funcionários", "Pampulha", "Buritis", "Sion")),
    ("Curitiba", "PR", ("Batel", "Água Verde", "Centro Cívico", "Bigorrilho", "Portão")),
    (
        "Porto Alegre",
        "RS",
        ("Moinhos de Vento", "Petrópolis", "Menino Deus", "Bela Vista", "Cidade Baixa"),
    ),
    ("Salvador", "BA", ("Barra", "Pituba", "Rio Vermelho", "Graça", "Itapuã")),
    ("Recife", "PE", ("Boa Viagem", "Casa Forte", "Espinheiro", "Graças", "Pina")),
    ("Fortaleza", "CE", ("Meireles", "Aldeota", "Cocó", "Praia de Iracema", "Fátima")),
    ("Brasília", "DF", ("Asa Sul", "Asa Norte", "Lago Sul", "Sudoeste", "Águas Claras")),
    ("Goiânia", "GO", ("Setor Bueno", "Setor Marista", "Jardim Goiás", "Setor Oeste")),
    ("Florianópolis", "SC", ("Centro", "Trindade", "Lagoa da Conceição", "Jurerê", "Ingleses")),
    ("Manaus", "AM", ("Adrianópolis", "Ponta Negra", "Vieiralves", "Centro")),
    ("Belém", "PA", ("Nazaré", "Umarizal", "Batista Campos", "Marco")),
    ("Campinas", "SP", ("Cambuí", "Taquaral", "Barão Geraldo", "Guanabara")),
    ("Vitória", "ES", ("Praia do Canto", "Jardim Camburi", "Mata da Praia")),
    ("Natal", "RN", ("Ponta Negra", "Tirol", "Petrópolis", "Capim Macio")),
    ("João Pessoa", "PB", ("Manaíra", "Tambaú", "Cabo Branco", "Bessa")),
    ("São Luís", "MA", ("Renascença", "Calhau", "Ponta d'Areia")),
    ("Cuiabá", "MT", ("Goiabeiras", "Jardim das Américas", "Duque de Caxias")),
    ("Campo Grande", "MS", ("Jardim dos Estados", "Centro", "Chácara Cachoeira")),
]

STREETS = (
    "Rua das Flores",
    "Avenida Brasil",
    "Rua XV de Novembro",
    "Rua Sete de Setembro",
    "Avenida Paulista",
    "Rua da Consolação",
    "Rua Augusta",
    "Avenida Atlântica",
    "Rua dos Andradas",
    "Avenida Getúlio Vargas",
)
KIND_WORDS = {
    PropertyKind.HOUSE: "Casa",
    PropertyKind.APARTMENT: "Apartamento",
    PropertyKind.LAND: "Terreno",
    PropertyKind.COMMERCIAL: "Sala comercial",
    PropertyKind.RURAL: "Sítio",
}
FEATURES = (
    "varanda gourmet",
    "piscina",
    "churrasqueira",
    "vista para o mar",
    "perto do metrô",
    "condomínio fechado",
    "reformado",
    "sol da manhã",
    "armários planejados",
    "quintal amplo",
    "área verde",
    "portaria 24 horas",
)
KIND_WEIGHTS = {
    PropertyKind.APARTMENT: 50,
    PropertyKind.HOUSE: 30,
    PropertyKind.COMMERCIAL: 10,
    PropertyKind.LAND: 6,
    PropertyKind.RURAL: 4,
}
_KINDS = list(KIND_WEIGHTS)
_KIND_WEIGHTS = list(KIND_WEIGHTS.values())
# Typical area range (m²) and sale price per m² (centavos) of each kind.
AREA_RANGE = {
    PropertyKind.APARTMENT: (30, 250),
    PropertyKind.HOUSE: (60, 600),
    PropertyKind.COMMERCIAL: (25, 800),
    PropertyKind.LAND: (150, 5000),
    PropertyKind.RURAL: (5000, 500000),
}
PRICE_PER_M2 = {
    PropertyKind.APARTMENT: (400000, 1800000),
    PropertyKind.HOUSE: (250000, 1200000),
    PropertyKind.COMMERCIAL: (300000, 1500000),
    PropertyKind.LAND: (20000, 300000),
    PropertyKind.RURAL: (500, 5000),
}

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


def listing_rows(plan: SeedPlan) -> Iterator[tuple[Any, ...]]:
    """Yield `plan.count` listing rows in COPY_COLUMNS order, deterministic for `plan.seed`."""
    rng = random.Random(plan.seed)  # noqa: S311 - demo data, not security
    now = datetime.now(UTC)
    for _ in range(plan.count):
        row = _listing(rng, plan, now)
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


def _listing(rng: random.Random, plan: SeedPlan, now: datetime) -> dict[str, Any]:
    kind = rng.choices(_KINDS, _KIND_WEIGHTS)[0]
    city, state, neighborhoods = rng.choice(CITIES)
    neighborhood = rng.choice(neighborhoods)
    purpose = Purpose.RENT if rng.random() < 0.3 else Purpose.SALE
    low, high = AREA_RANGE[kind]
    area = Decimal(rng.randint(low * 100, high * 100)) / 100
    price = _price_cents(rng, kind, purpose, area)
    rooms = 0 if kind in (PropertyKind.LAND, PropertyKind.COMMERCIAL) else rng.randint(1, 5)
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
        "id": _uuid(rng),
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
        "lat": -3 - rng.random() * 27,
        "lng": -35 - rng.random() * 25,
        "version": 1,
        "created_at": created,
        "updated_at": created,
        "published_at": published if status is ListingStatus.PUBLISHED else None,
    }


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


SEED_CPF_BASE = 900_000_000


async def ensure_seed_owners(
    users: UserRepository, hasher: PasswordHasher, count: int
) -> list[UUID]:
    """Ids of `count` collectors who own seeded listings, creating the missing ones."""
    password_hash = await hasher.hash(secrets.token_urlsafe(32))
    owner_ids = []
    for index in range(count):
        cpf = cpf_from_number(SEED_CPF_BASE + index)
        found = await users.get_by_cpf(cpf)
        if isinstance(found, Ok):
            owner_ids.append(found.ok_value.id)
            continue
        owner = User(
            name=f"Corretor Demonstração {index + 1}", cpf=cpf, password_hash=password_hash
        )
        added = await users.add(owner)
        if isinstance(added, Err):  # only if another seeder created it meanwhile
            raise RuntimeError(added.err_value.detail)
        owner_ids.append(added.ok_value.id)
    return owner_ids


async def seed_listings(
    sessions: async_sessionmaker[AsyncSession],
    hasher: PasswordHasher,
    *,
    count: int,
    owners: int,
    seed: int,
    batch_size: int,
    on_batch: Callable[[int], None],
) -> None:
    """Insert `count` generated listings with COPY, in batches of one transaction each."""
    async with sessions() as session:
        owner_ids = await ensure_seed_owners(UserRepository(session), hasher, owners)
        await session.commit()
    rows = listing_rows(SeedPlan(count=count, owner_ids=owner_ids, seed=seed))
    while batch := list(islice(rows, batch_size)):
        async with sessions() as session:
            await RealEstateRepository(session).copy_rows(COPY_COLUMNS, batch)
            await session.commit()
        on_batch(len(batch))
    async with sessions() as session:
        await RealEstateRepository(session).vacuum_analyze()
