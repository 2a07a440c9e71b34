"""Command line of the service: `python -m app --help`."""

import asyncio
import json
import os
import sys
import tempfile
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from result import Err

from app.core.config.db.database import Database
from app.core.config.db.embedded import start_embedded_postgres
from app.core.config.db.engine import create_engine, create_sessionmaker
from app.core.config.db.migrations import migrate_to_head, upgrade_to_head
from app.core.config.logging import configure_logging
from app.core.config.settings import Settings
from app.core.errors.cli import CliFailure, ErrorBoundaryGroup, note_database
from app.features.real_estates.seed import SeedReport, seed_listings, seed_owner_cpfs
from app.features.shared.cpf import Cpf, normalize_cpf
from app.features.shared.utils.password_hasher import PasswordHasher
from app.features.users.passwords import PasswordPolicy
from app.features.users.repository import UserRepository
from app.features.users.service import AdminOutcome
from app.wiring import Components, build_user_service

SEED_BATCH_SIZE = 5000
SEED_OWNERS_SHOWN = 5

cli = typer.Typer(
    help="Real Estate API: serve, migrate and administer.",
    no_args_is_help=True,
    cls=ErrorBoundaryGroup,
)


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        for item in error.errors():
            # Field names are the environment variables; model-wide checks name theirs.
            variable = "_".join(str(part) for part in item["loc"]).upper()
            message = item["msg"].removeprefix("Value error, ")
            line = f"{variable}: {message}" if variable else message
            typer.secho(f"Invalid configuration: {line}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from error


def _database_url(settings: Settings) -> tuple[str, bool]:
    """The configured database URL, or a freshly started embedded one (and whether it is)."""
    if settings.database_url is not None:
        url = settings.database_url.get_secret_value()
        note_database(url)
        return url, False
    typer.echo(f"DATABASE_URL is unset: embedded PostgreSQL in {settings.embedded_database_dir}/")
    url = start_embedded_postgres(settings.embedded_database_dir)
    note_database(url)
    return url, True


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the API. Without DATABASE_URL, start and migrate an embedded PostgreSQL first."""
    settings = _load_settings()
    configure_logging(settings)
    url, embedded = _database_url(settings)
    if embedded:
        upgrade_to_head(url)
        os.environ["DATABASE_URL"] = url
    if workers > 1 and not reload and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Worker processes write their metrics here, so /metrics sums all of them.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="real-estate-metrics-")
    typer.echo(f"Serving on http://{host}:{port} (docs at /docs)")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
        reload_dirs=["app"] if reload else None,
        log_config=None,
        access_log=False,
        # The client's address comes from TRUSTED_PROXIES only (app/core/config/client.py);
        # uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1.
        proxy_headers=False,
    )


@cli.command()
def migrate(
    max_wait_seconds: Annotated[
        float, typer.Option(min=0, help="How long to wait for the database to answer.")
    ] = 60,
) -> None:
    """Upgrade the database schema to the latest migration.

    Waits for the database with backoff and holds an advisory lock, so several
    migrators started together apply each migration once.
    """
    settings = _load_settings()
    configure_logging(settings)
    url, _ = _database_url(settings)
    outcome = asyncio.run(migrate_to_head(url, max_wait_seconds=max_wait_seconds, log=typer.echo))
    typer.echo(f"Database schema: {outcome}.")


def _admin_password() -> str:
    if password := os.environ.get("ADMIN_PASSWORD"):
        return password
    if not sys.stdin.isatty():
        raise CliFailure("a new admin needs a password: set ADMIN_PASSWORD", exit_code=2)
    return str(typer.prompt("Admin password", hide_input=True, confirmation_prompt=True))


async def _create_admin(settings: Settings, url: str, *, cpf: Cpf, name: str) -> AdminOutcome:
    engine = create_engine(settings, url)
    try:
        async with create_sessionmaker(engine)() as session:
            database = Database.over(session)
            users = build_user_service(database, Components.from_settings(settings))
            exists = (await UserRepository(database).get_by_cpf(cpf)).is_ok()
            password = None if exists else _admin_password()
            result = await users.create_admin(name=name, cpf=cpf, password=password)
            if isinstance(result, Err):
                raise CliFailure(f"password refused: {result.err_value.detail}", exit_code=2)
            return result.ok_value.outcome
    finally:
        await engine.dispose()


def _admin_outcome_text(outcome: AdminOutcome) -> str:
    unused_password = (
        " (ADMIN_PASSWORD was not used: it only sets the password of a new account)"
        if outcome is not AdminOutcome.CREATED and os.environ.get("ADMIN_PASSWORD")
        else ""
    )
    if outcome is AdminOutcome.CREATED:
        return "created as admin"
    if outcome is AdminOutcome.PROMOTED:
        return f"promoted to admin; its name and password are unchanged{unused_password}"
    return f"is already an admin; nothing changed{unused_password}"


@cli.command("create-admin")
def create_admin(
    cpf: Annotated[str, typer.Option(help="CPF of the admin (with or without punctuation).")],
    name: Annotated[str, typer.Option(help="Full name, 4 to 120 characters.")],
) -> None:
    """Create an admin, or promote the account with this CPF.

    A new admin's password comes from the ADMIN_PASSWORD environment variable or a
    prompt, never from the command line. An existing account is promoted and keeps
    its name and password (ADMIN_PASSWORD is not applied to it); an existing admin
    is left as it is. The output says which of these happened.
    """
    digits = normalize_cpf(cpf)
    if digits is None:
        raise typer.BadParameter("not a valid CPF", param_hint="--cpf")
    name = name.strip()
    if not 4 <= len(name) <= 120:
        raise typer.BadParameter("must have 4 to 120 characters", param_hint="--name")
    settings = _load_settings()
    configure_logging(settings)
    url, embedded = _database_url(settings)
    if embedded:
        upgrade_to_head(url)
    outcome = asyncio.run(_create_admin(settings, url, cpf=digits, name=name))
    typer.echo(f"User with CPF ***.{digits[3:6]}.***-** {_admin_outcome_text(outcome)}.")


async def _seed(
    settings: Settings,
    url: str,
    hasher: PasswordHasher,
    *,
    listings: int,
    owners: int,
    seed: int,
    owner_password: str | None,
) -> SeedReport:
    engine = create_engine(settings, url)
    try:
        with typer.progressbar(length=listings, label="Seeding listings") as progress:
            return await seed_listings(
                create_sessionmaker(engine),
                hasher,
                count=listings,
                owners=owners,
                seed=seed,
                batch_size=SEED_BATCH_SIZE,
                on_batch=progress.update,
                owner_password=owner_password,
            )
    finally:
        await engine.dispose()


def _seed_owner_password(passwords: PasswordPolicy, owners: int) -> str | None:
    password = os.environ.get("SEED_OWNER_PASSWORD") or None
    if password is None:
        return None
    for cpf in seed_owner_cpfs(owners):
        if (refusal := passwords.refusal_for(password, cpf=cpf)) is not None:
            raise CliFailure(f"SEED_OWNER_PASSWORD refused: {refusal.detail}", exit_code=2)
    return password


def _seed_summary(report: SeedReport, *, seed: int, password_set: bool) -> list[str]:
    total = report.inserted + report.already_there
    if report.already_there == 0:
        listings = f"Inserted {report.inserted} listings (seed {seed})."
    elif report.inserted == 0:
        listings = (
            f"All {total} listings of seed {seed} are already in the database; nothing "
            "inserted. Use another --seed to add different ones."
        )
    else:
        listings = (
            f"Inserted {report.inserted} listings of seed {seed}; the other "
            f"{report.already_there} were already in the database."
        )
    owners = report.owners
    count = f"{len(owners.cpfs)} demo owners ({owners.created or 'none'} new)"
    if not password_set and owners.created:
        return [
            listings,
            f"{count}: the new ones got a random password, so nobody can sign in as them; "
            "set SEED_OWNER_PASSWORD and re-run to give them all one.",
        ]
    if not password_set:
        return [
            listings,
            f"{count} kept their passwords; set SEED_OWNER_PASSWORD and re-run to give them "
            "one you know.",
        ]
    shown = ", ".join(owners.cpfs[:SEED_OWNERS_SHOWN])
    more = f", ... ({len(owners.cpfs)} in all)" if len(owners.cpfs) > SEED_OWNERS_SHOWN else ""
    return [listings, f"{count} sign in with SEED_OWNER_PASSWORD and CPF {shown}{more}."]


@cli.command()
def seed(
    listings: Annotated[
        int, typer.Option(min=1, help="How many listings of --seed; those already there are kept.")
    ] = 1000,
    owners: Annotated[int, typer.Option(min=1, help="Demo collectors who own them.")] = 20,
    random_seed: Annotated[
        int, typer.Option("--seed", help="Which listings: the same seed makes the same ones.")
    ] = 42,
) -> None:
    """Insert realistic demo listings (Brazilian cities, prices, areas) with COPY.

    About 85 % are published, 5 % archived and 10 % drafts; a million rows load in minutes.
    The same --seed always makes the same listings, so a re-run inserts only those still
    missing (none, with the same arguments) and says so; another --seed adds new ones.

    The listings belong to --owners demo collectors, reused by every run. With the
    SEED_OWNER_PASSWORD environment variable set, all of them sign in with it (their
    CPFs are printed); without it, new ones get a random password and cannot sign in.
    """
    settings = _load_settings()
    configure_logging(settings)
    components = Components.from_settings(settings)
    owner_password = _seed_owner_password(components.passwords, owners)
    url, embedded = _database_url(settings)
    if embedded:
        upgrade_to_head(url)
    report = asyncio.run(
        _seed(
            settings,
            url,
            components.hasher,
            listings=listings,
            owners=owners,
            seed=random_seed,
            owner_password=owner_password,
        )
    )
    for line in _seed_summary(report, seed=random_seed, password_set=owner_password is not None):
        typer.echo(line)


@cli.command("check-config")
def check_config() -> None:
    """Print the effective settings (secrets redacted); exit 2 when they are invalid."""
    settings = _load_settings()
    typer.echo(json.dumps(settings.model_dump(mode="json"), indent=2, default=str))


def main() -> None:
    """Entry point of `python -m app` and the `real-estate-api` script."""
    cli()


if __name__ == "__main__":
    main()
