"""Command line of the service: `python -m app --help`."""

import asyncio
import json
import os
import tempfile
from typing import Annotated

import typer
import uvicorn

from app.commands import accounts
from app.commands.context import database_url, load_settings
from app.core.config.db.engine import create_engine, create_sessionmaker
from app.core.config.db.migrations import migrate_to_head, upgrade_to_head
from app.core.config.http_protocol import BoundedHttpToolsProtocol
from app.core.config.logging import configure_logging
from app.core.config.settings import Settings
from app.core.errors.cli import CliFailure, ErrorBoundaryGroup
from app.features.real_estates.seed import SeedReport, seed_listings, seed_owner_cpfs
from app.features.shared.utils.password_hasher import PasswordHasher
from app.features.users.passwords import PasswordPolicy
from app.wiring import Components

SEED_BATCH_SIZE = 5000
SEED_OWNERS_SHOWN = 5

cli = typer.Typer(
    help="Real Estate API: serve, migrate and administer.",
    no_args_is_help=True,
    cls=ErrorBoundaryGroup,
)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the API. Without DATABASE_URL, start and migrate an embedded PostgreSQL first."""
    settings = load_settings()
    configure_logging(settings)
    url, embedded = database_url(settings)
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
        # Bounded: a worker's connections, each request's line and headers (size, count,
        # time: BoundedHttpToolsProtocol), an idle keep-alive connection, and the wait
        # for in-flight requests on SIGTERM (settings, docs/operations.md).
        http=BoundedHttpToolsProtocol,
        timeout_keep_alive=settings.keep_alive_timeout_seconds,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        server_header=False,
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
    settings = load_settings()
    configure_logging(settings)
    url, _ = database_url(settings)
    outcome = asyncio.run(migrate_to_head(url, max_wait_seconds=max_wait_seconds, log=typer.echo))
    typer.echo(f"Database schema: {outcome}.")


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
    settings = load_settings()
    configure_logging(settings)
    components = Components.from_settings(settings)
    owner_password = _seed_owner_password(components.passwords, owners)
    url, embedded = database_url(settings)
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
    settings = load_settings()
    typer.echo(json.dumps(settings.model_dump(mode="json"), indent=2, default=str))


accounts.register(cli)


def main() -> None:
    """Entry point of `python -m app` and the `real-estate-api` script."""
    cli()


if __name__ == "__main__":
    main()
