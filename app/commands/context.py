"""What every command needs: valid settings, a database URL, a Database to work in."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import typer
from pydantic import ValidationError

from app.core.config.db.database import Database
from app.core.config.db.embedded import start_embedded_postgres
from app.core.config.db.engine import create_engine, create_sessionmaker
from app.core.config.settings import Settings
from app.core.errors.cli import note_database


def load_settings() -> Settings:
    """The settings, or exit 2 with one line per invalid variable."""
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


def database_url(settings: Settings) -> tuple[str, bool]:
    """The configured database URL, or a freshly started embedded one (and whether it is)."""
    if settings.database_url is not None:
        url = settings.database_url.get_secret_value()
        note_database(url)
        return url, False
    typer.echo(f"DATABASE_URL is unset: embedded PostgreSQL in {settings.embedded_database_dir}/")
    url = start_embedded_postgres(settings.embedded_database_dir)
    note_database(url)
    return url, True


@asynccontextmanager
async def command_database(settings: Settings, url: str) -> AsyncIterator[Database]:
    """A Database over one session of its own engine, all closed afterwards."""
    engine = create_engine(settings, url)
    try:
        async with create_sessionmaker(engine)() as session:
            yield Database.over(session)
    finally:
        await engine.dispose()
