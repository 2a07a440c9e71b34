"""The composition root: the long-lived components and how each feature's service is built.

Everything that assembles the application's object graph lives here, on the top
floor, so the layers below never import each other sideways: `main.py`, the CLI,
the routers' dependencies, tests and benchmarks all build services through these
functions.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config.auth.jwt import AccessTokenCodec
from app.core.config.client import ClientAddresses
from app.core.config.db.database import Database
from app.core.config.ratelimit import RateLimits
from app.core.config.settings import Settings
from app.core.storage.base import ObjectStorage
from app.core.storage.factory import storage_from_settings
from app.features.audit.repository import AuditRepository
from app.features.audit.service import AuditService
from app.features.auth.refresh import SessionLifetimes
from app.features.auth.repository import AuthSessionRepository
from app.features.auth.service import AuthService
from app.features.auth.sessions import SessionService
from app.features.favorites.repository import FavoriteRepository
from app.features.favorites.service import FavoriteService
from app.features.idempotency.repository import IdempotencyRepository
from app.features.idempotency.service import Idempotency
from app.features.inquiries.repository import InquiryRepository
from app.features.inquiries.service import InquiryService
from app.features.photos.images import ImageProcessor
from app.features.photos.repository import PhotoRepository
from app.features.photos.service import PhotoService
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.service import RealEstateService
from app.features.saved_searches.repository import SavedSearchRepository
from app.features.saved_searches.service import SavedSearchService
from app.features.shared.pagination import CursorCodec
from app.features.shared.unit_of_work import UnitOfWork
from app.features.shared.utils.password_hasher import PasswordHasher
from app.features.users.passwords import PasswordPolicy
from app.features.users.repository import UserRepository
from app.features.users.service import UserService


@dataclass(frozen=True)
class Components:
    """What every request may use without rebuilding it: codecs, hasher, policies, storage.

    Built once per application (or CLI run) from the settings; stateless or safe to
    share between concurrent requests.
    """

    tokens: AccessTokenCodec
    cursors: CursorCodec
    hasher: PasswordHasher
    passwords: PasswordPolicy
    lifetimes: SessionLifetimes
    addresses: ClientAddresses
    limits: RateLimits
    audit_retention: timedelta
    idempotency_lifetime: timedelta
    storage: ObjectStorage
    images: ImageProcessor
    photo_max_bytes: int

    @classmethod
    def from_settings(
        cls, settings: Settings, *, on_store_error: Callable[[], None] = lambda: None
    ) -> Self:
        """Build the components the settings describe.

        `on_store_error` is told whenever the rate-limit store (Redis) fails.
        """
        secret = settings.jwt_secret.get_secret_value().encode()
        return cls(
            tokens=AccessTokenCodec.from_settings(settings),
            cursors=CursorCodec(hashlib.sha256(b"cursor-key:" + secret).digest()),
            hasher=PasswordHasher.from_settings(settings),
            passwords=PasswordPolicy.from_file(),
            lifetimes=SessionLifetimes(
                idle=timedelta(days=settings.refresh_token_idle_days),
                absolute=timedelta(days=settings.refresh_token_absolute_days),
                retry=timedelta(seconds=settings.refresh_token_retry_seconds),
            ),
            addresses=ClientAddresses.from_settings(settings),
            limits=RateLimits.from_settings(settings, on_store_error=on_store_error),
            audit_retention=timedelta(days=settings.audit_retention_days),
            idempotency_lifetime=timedelta(hours=settings.idempotency_key_ttl_hours),
            storage=storage_from_settings(settings),
            images=ImageProcessor(settings.image_max_concurrency),
            photo_max_bytes=settings.photo_max_bytes,
        )


def build_user_service(database: Database, components: Components) -> UserService:
    """The account use cases over one request's database."""
    return UserService(
        uow=UnitOfWork(database),
        users=UserRepository(database),
        passwords=components.passwords,
        hasher=components.hasher,
        cursors=components.cursors,
        audit=AuditRepository(database, components.addresses),
    )


def build_auth_service(database: Database, components: Components) -> AuthService:
    """The credential use cases over one request's database."""
    return AuthService(
        uow=UnitOfWork(database),
        users=UserRepository(database),
        sessions=AuthSessionRepository(database),
        hasher=components.hasher,
        passwords=components.passwords,
        tokens=components.tokens,
        lifetimes=components.lifetimes,
        limiter=components.limits.limiter,
        failure_limit=components.limits.sign_in_failures,
        audit=AuditRepository(database, components.addresses),
    )


def build_session_service(database: Database, components: Components) -> SessionService:
    """The session management use cases over one request's (or command's) database."""
    return SessionService(
        uow=UnitOfWork(database),
        sessions=AuthSessionRepository(database),
        users=UserRepository(database),
        cursors=components.cursors,
        lifetimes=components.lifetimes,
        audit=AuditRepository(database, components.addresses),
    )


def build_audit_service(database: Database, components: Components) -> AuditService:
    """Reading and trimming the audit trail, over one request's (or command's) database."""
    return AuditService(
        uow=UnitOfWork(database),
        events=AuditRepository(database, components.addresses),
        cursors=components.cursors,
        retention=components.audit_retention,
    )


def build_idempotency(database: Database, components: Components) -> Idempotency:
    """Creating writes run once per idempotency key, over one request's (or command's) database."""
    return Idempotency(
        uow=UnitOfWork(database),
        records=IdempotencyRepository(database),
        lifetime=components.idempotency_lifetime,
    )


def build_real_estate_service(database: Database, components: Components) -> RealEstateService:
    """The listing use cases over one request's database."""
    return RealEstateService(
        uow=UnitOfWork(database),
        listings=RealEstateRepository(database),
        cursors=components.cursors,
        audit=AuditRepository(database, components.addresses),
        idempotency=build_idempotency(database, components),
        photo_url=components.storage.url,
        favorites=FavoriteRepository(database),
    )


def build_favorite_service(database: Database, components: Components) -> FavoriteService:
    """The favourite use cases over one request's database."""
    return FavoriteService(
        uow=UnitOfWork(database),
        favorites=FavoriteRepository(database),
        listings=RealEstateRepository(database),
        cursors=components.cursors,
        photo_url=components.storage.url,
    )


def build_photo_service(database: Database, components: Components) -> PhotoService:
    """The photo use cases over one request's (or command's) database."""
    return PhotoService(
        uow=UnitOfWork(database),
        photos=PhotoRepository(database),
        listings=RealEstateRepository(database),
        storage=components.storage,
        images=components.images,
        idempotency=build_idempotency(database, components),
        max_bytes=components.photo_max_bytes,
    )


def build_inquiry_service(database: Database, components: Components) -> InquiryService:
    """The inquiry use cases over one request's database."""
    return InquiryService(
        uow=UnitOfWork(database),
        inquiries=InquiryRepository(database),
        listings=RealEstateRepository(database),
        cursors=components.cursors,
        idempotency=build_idempotency(database, components),
    )


async def purge_stored_objects(
    sessions: async_sessionmaker[AsyncSession], components: Components
) -> int:
    """Remove the queued stored objects that are due; how many went.

    They are those of deleted photos and listings, and of uploads cut short. Run by
    `purge-orphans`, and every few seconds by the app.
    """
    database = Database.for_writes(sessions)
    try:
        return await build_photo_service(database, components).purge_due()
    finally:
        await database.close()


def build_saved_search_service(database: Database, components: Components) -> SavedSearchService:
    """The saved-search use cases over one request's database."""
    return SavedSearchService(
        uow=UnitOfWork(database),
        searches=SavedSearchRepository(database),
        listings=RealEstateRepository(database),
        listing_search=build_real_estate_service(database, components),
        cursors=components.cursors,
    )
