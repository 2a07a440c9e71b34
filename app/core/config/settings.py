"""Application settings, read from the environment and `.env` only."""

from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated, Literal, Self

from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_JWT_SECRET = "dev-only-secret-change-me-please-0123456789"  # noqa: S105
MIN_JWT_SECRET_BYTES = 32
# Schemes of DATABASE_URL that the engine knows how to turn into asyncpg URLs.
POSTGRES_URL_SCHEMES = frozenset(
    {"postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg", "postgresql+psycopg2"}
)
DATABASE_URL_FORM = "postgresql://user:password@host:5432/database"
REDIS_URL_SCHEMES = ("redis://", "rediss://")


class Environment(StrEnum):
    """Where the service runs; production turns on the strict checks."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every knob of the service. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
    )

    environment: Environment = Environment.DEVELOPMENT
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql+asyncpg://... or postgresql://...; unset = embedded PostgreSQL.",
    )
    database_read_url: SecretStr | None = Field(
        default=None,
        description="A read replica of DATABASE_URL for anonymous reads (public search and "
        "listings); unset = everything reads the primary.",
    )
    embedded_database_dir: Path = Path(".data/postgres")
    # A fixed pool: connections opened beyond it ("overflow") are closed as soon as they
    # are returned, so under a sustained burst every request would pay for a new one.
    database_pool_size: int = Field(default=20, ge=1, le=200)
    database_max_overflow: int = Field(default=0, ge=0, le=200)
    database_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    database_connect_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Give up opening a connection after this long."
    )
    database_statement_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Give up waiting for a statement's answer after this long."
    )
    # A ping costs three round trips per request (BEGIN, ping, ROLLBACK); recycling
    # connections bounds their age instead. Turn the ping on for flaky networks.
    database_pool_pre_ping: bool = False
    database_pool_recycle_seconds: int = Field(default=1800, ge=-1)
    database_echo: bool = False
    database_pgbouncer: bool = Field(
        default=False,
        description="The DATABASE_URL points at PgBouncer in transaction pooling mode.",
    )

    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    jwt_previous_secrets: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated retired secrets still accepted for verification.",
    )
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "real-estate-api"
    jwt_audience: str = "real-estate-api"
    access_token_ttl_seconds: int = Field(default=15 * 60, ge=30, le=24 * 3600)
    refresh_token_idle_days: int = Field(
        default=30, ge=1, le=365, description="A session unused this long ends."
    )
    refresh_token_absolute_days: int = Field(
        default=90, ge=1, le=3650, description="A session ends this long after its sign-in."
    )
    refresh_token_retry_seconds: int = Field(
        default=10,
        ge=0,
        le=300,
        description="A refresh token spent this recently may be presented again without "
        "ending its session (a client retrying a refresh whose answer it lost).",
    )
    rate_limit_enabled: bool = True
    sign_in_limit_per_address: str = Field(
        default="20/minute;200/hour",
        description="Sign-in attempts (JSON and OAuth2 form together) per client address.",
    )
    sign_in_failure_limit_per_cpf: str = Field(
        default="5/15 minutes;20/day",
        description="Failed sign-ins per CPF from one client address; then 429 until a "
        "window has room.",
    )
    refresh_limit_per_address: str = Field(
        default="60/minute;1000/hour", description="Token refreshes per client address."
    )
    sign_up_limit_per_address: str = Field(
        default="5/hour;20/day", description="Sign-ups per client address."
    )
    inquiries_per_hour: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="Inquiries one signed-in user may send per hour (counted per user).",
    )
    audit_retention_days: int = Field(
        default=365, ge=1, description="Audit events older than this go at `purge-audit-events`."
    )
    idempotency_key_ttl_hours: int = Field(
        default=24,
        ge=1,
        le=24 * 30,
        description="How long a retry with the same Idempotency-Key gets the first answer.",
    )
    redis_url: SecretStr | None = Field(
        default=None,
        description="redis://host:6379/0; shares rate-limit counters between workers and "
        "replicas (unset: each process counts alone).",
    )
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated CIDRs whose X-Forwarded-For is believed; empty = none.",
    )

    argon2_memory_kib: int = Field(default=19 * 1024, ge=19 * 1024)
    argon2_time_cost: int = Field(default=2, ge=2)
    argon2_parallelism: int = Field(default=1, ge=1)
    argon2_max_concurrency: int | None = Field(
        default=None, ge=1, description="Hashes run at once per process; unset = the core count."
    )

    cors_allow_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_request_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    photo_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=64 * 1024,
        le=100 * 1024 * 1024,
        description="Largest photo file accepted; larger uploads get a 413 while streaming.",
    )
    image_max_concurrency: int | None = Field(
        default=None,
        ge=1,
        description="Images decoded at once per process; unset = the core count.",
    )
    shutdown_grace_seconds: int = Field(
        default=10,
        ge=1,
        le=300,
        description="On SIGTERM, in-flight requests get this long to finish before the "
        "worker closes what is left.",
    )
    keep_alive_timeout_seconds: int = Field(
        default=5, ge=1, le=300, description="Close an idle keep-alive connection after this."
    )
    max_connections_per_worker: int = Field(
        default=2048,
        ge=1,
        description="Open connections one worker accepts; beyond it, 503 OVERLOADED and close.",
    )
    max_request_header_bytes: int = Field(
        default=32 * 1024,
        ge=4 * 1024,
        le=1024 * 1024,
        description="Request line and headers together; beyond it, 431 and close.",
    )
    max_request_headers: int = Field(
        default=100, ge=10, le=1000, description="Header fields per request; beyond it, 431."
    )
    header_read_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="A request's line and headers must arrive within this; else 408 and close.",
    )
    body_read_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="A request's whole body must arrive within this; else 408 and close.",
    )
    max_concurrent_requests: int = Field(
        default=512,
        ge=1,
        description="Requests one worker serves at once; beyond it, a fast 503 OVERLOADED.",
    )
    health_check_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP collector URL; set to turn tracing on."
    )
    otel_service_name: str = "real-estate-api"
    problem_type_base_url: str = Field(
        default="",
        description="Prefix of problem `type` URIs; empty = relative `/errors/<code>` links.",
    )

    # Listing photos: an S3-compatible bucket when S3_BUCKET is set, else a local directory.
    s3_bucket: str | None = Field(
        default=None,
        description="Bucket of the listing photos; set = the S3 backend, unset = files under "
        "PHOTO_STORAGE_DIR served by the API at /media.",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="Where the server reaches the store (e.g. http://storage:9000 for MinIO); "
        "unset = AWS S3 of S3_REGION.",
    )
    s3_public_endpoint_url: str | None = Field(
        default=None,
        description="Where browsers reach the store, for the signed photo URLs; "
        "unset = S3_ENDPOINT_URL.",
    )
    s3_access_key_id: SecretStr | None = Field(
        default=None, description="unset (with the secret) = boto3's own credential chain."
    )
    s3_secret_access_key: SecretStr | None = None
    s3_region: str = "us-east-1"
    s3_presign_seconds: int = Field(
        default=3600,
        ge=60,
        le=7 * 24 * 3600,
        description="How long a signed photo URL stays valid.",
    )
    photo_storage_dir: Path = Field(
        default=Path(".data/photos"),
        description="Root of the local backend's files (when S3_BUCKET is unset).",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("cors_allow_origins", "jwt_previous_secrets", "trusted_proxies", mode="before")
    @classmethod
    def _split_comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("database_url", "database_read_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        # The messages never repeat the value: it may hold a password.
        if value is None:
            return None
        try:
            url = make_url(value.get_secret_value())
        except ArgumentError:
            raise ValueError(f"not a database URL; expected {DATABASE_URL_FORM}") from None
        except ValueError:  # what make_url raises for a port that is not a number
            raise ValueError(f"the port is not a number; expected {DATABASE_URL_FORM}") from None
        if url.drivername not in POSTGRES_URL_SCHEMES:
            raise ValueError(
                f"scheme {url.drivername!r} is not PostgreSQL; expected {DATABASE_URL_FORM} "
                "(or postgresql+asyncpg://...)"
            )
        if url.port is not None and not 1 <= url.port <= 65535:
            raise ValueError("the port must be between 1 and 65535")
        return value

    @field_validator(
        "sign_in_limit_per_address",
        "sign_in_failure_limit_per_cpf",
        "refresh_limit_per_address",
        "sign_up_limit_per_address",
    )
    @classmethod
    def _rate_limit_notation(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                "not a rate limit; expected e.g. 5/minute or 10/minute;100/hour"
            ) from None
        return value

    @field_validator(
        "redis_url",
        "s3_bucket",
        "s3_endpoint_url",
        "s3_public_endpoint_url",
        "s3_access_key_id",
        "s3_secret_access_key",
        mode="before",
    )
    @classmethod
    def _empty_means_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(REDIS_URL_SCHEMES):
            raise ValueError("expected redis://host:6379/0 (or rediss:// for TLS)")
        return value

    @field_validator("s3_endpoint_url", "s3_public_endpoint_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL, e.g. http://storage:9000")
        return value.rstrip("/") if value is not None else None

    @model_validator(mode="after")
    def _s3_keys_come_in_pairs(self) -> Self:
        if (self.s3_access_key_id is None) != (self.s3_secret_access_key is None):
            raise ValueError(
                "set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither "
                "(boto3's own credential chain)"
            )
        return self

    @field_validator("jwt_algorithm")
    @classmethod
    def _symmetric_algorithm(cls, value: str) -> str:
        if value not in {"HS256", "HS384", "HS512"}:
            raise ValueError("jwt_algorithm must be one of HS256, HS384, HS512")
        return value

    @model_validator(mode="after")
    def _refuse_weak_production_secrets(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            secret = self.jwt_secret.get_secret_value()
            if secret == DEFAULT_JWT_SECRET:
                raise ValueError(
                    "JWT_SECRET is the development default; set a random secret of at least "
                    f"{MIN_JWT_SECRET_BYTES} bytes (e.g. `python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))'`)"
                )
            if len(secret.encode()) < MIN_JWT_SECRET_BYTES:
                raise ValueError(f"JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes long")
            for previous in self.jwt_previous_secrets:
                value = previous.get_secret_value()
                if value == DEFAULT_JWT_SECRET or len(value.encode()) < MIN_JWT_SECRET_BYTES:
                    raise ValueError(
                        "each JWT_PREVIOUS_SECRETS entry must be a real secret of at least "
                        f"{MIN_JWT_SECRET_BYTES} bytes"
                    )
            if self.database_url is None:
                raise ValueError("DATABASE_URL is required in production")
        return self

    @property
    def is_production(self) -> bool:
        """Whether the strict production behaviour applies."""
        return self.environment is Environment.PRODUCTION
