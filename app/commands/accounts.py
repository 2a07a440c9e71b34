"""Operators' commands: accounts (create-admin, reset-password) and housekeeping (purge-*)."""

import asyncio
import os
import sys
from typing import Annotated

import typer
from result import Err

from app.commands.context import command_database, database_url, load_settings
from app.core.config.db.engine import create_engine, create_sessionmaker
from app.core.config.db.migrations import upgrade_to_head
from app.core.config.logging import configure_logging, mask_cpf
from app.core.config.settings import Settings
from app.core.errors.cli import CliFailure
from app.features.shared.cpf import Cpf, normalize_cpf
from app.features.users.repository import UserRepository
from app.features.users.service import AdminOutcome
from app.wiring import (
    Components,
    build_audit_service,
    build_auth_service,
    build_idempotency,
    build_session_service,
    build_user_service,
    purge_stored_objects,
)

CpfOption = Annotated[str, typer.Option(help="CPF of the account (with or without punctuation).")]
_NEW = "a new admin needs a password"


def register(cli: typer.Typer) -> None:
    """Add the account commands to `cli`."""
    cli.command("create-admin")(create_admin)
    cli.command("reset-password")(reset_password)
    cli.command("purge-sessions")(purge_sessions)
    cli.command("purge-audit-events")(purge_audit_events)
    cli.command("purge-idempotency-keys")(purge_idempotency_keys)
    cli.command("purge-orphans")(purge_orphans)


def create_admin(
    cpf: CpfOption,
    name: Annotated[str, typer.Option(help="Full name, 4 to 120 characters.")],
) -> None:
    """Create an admin, or promote the account with this CPF.

    A new admin's password comes from the ADMIN_PASSWORD environment variable or a
    prompt, never from the command line. An existing account is promoted and keeps
    its name and password (ADMIN_PASSWORD is not applied to it); an existing admin
    is left as it is. The output says which of these happened.
    """
    digits = _cpf(cpf)
    name = name.strip()
    if not 4 <= len(name) <= 120:
        raise typer.BadParameter("must have 4 to 120 characters", param_hint="--name")
    settings, url = _prepared()
    outcome = asyncio.run(_create_admin(settings, url, cpf=digits, name=name))
    typer.echo(f"User with CPF {mask_cpf(digits)} {_admin_outcome_text(outcome)}.")


def reset_password(cpf: CpfOption) -> None:
    """Set a new password for an account and end all its sessions (signed out everywhere).

    The password comes from the NEW_PASSWORD environment variable or a prompt, never
    from the command line, and must pass the same policy as at sign-up.
    """
    digits = _cpf(cpf)
    settings, url = _prepared()
    password = _secret("NEW_PASSWORD", "New password", missing="a new password is needed")
    ended = asyncio.run(_reset_password(settings, url, cpf=digits, password=password))
    typer.echo(f"Password of the user with CPF {mask_cpf(digits)} reset; {ended} session(s) ended.")


def purge_sessions() -> None:
    """Delete ended and expired sessions with their refresh tokens (safe to run any time).

    Sign-ins already clear away each user's own; run this from a scheduler to drop
    those of users who never sign in again.
    """
    settings, url = _prepared()
    purged = asyncio.run(_purge_sessions(settings, url))
    typer.echo(f"Purged {purged} ended or expired session(s).")


def purge_audit_events() -> None:
    """Delete audit events older than AUDIT_RETENTION_DAYS (365 by default).

    The audit trail is otherwise append-only; schedule this, e.g. daily.
    """
    settings, url = _prepared()
    purged = asyncio.run(_purge_audit_events(settings, url))
    days = settings.audit_retention_days
    typer.echo(f"Purged {purged} audit event(s) older than {days} days.")


def purge_idempotency_keys() -> None:
    """Delete remembered Idempotency-Key answers past IDEMPOTENCY_KEY_TTL_HOURS (24 by default).

    An expired key is reused in place when its owner sends it again; schedule this,
    e.g. daily, to drop the rest.
    """
    settings, url = _prepared()
    purged = asyncio.run(_purge_idempotency_keys(settings, url))
    typer.echo(f"Purged {purged} expired idempotency key(s).")


def purge_orphans() -> None:
    """Remove from photo storage the objects no row uses any more (safe to run any time).

    Deleted photos and listings queue their objects, and so do uploads until their
    photo is recorded; the server removes due ones every few seconds, and this does
    the same at once (after a storage outage, or with no server running).
    """
    settings, url = _prepared()
    purged = asyncio.run(_purge_orphans(settings, url))
    typer.echo(f"Removed {purged} stored object(s).")


def _cpf(cpf: str) -> Cpf:
    digits = normalize_cpf(cpf)
    if digits is None:
        raise typer.BadParameter("not a valid CPF", param_hint="--cpf")
    return digits


def _prepared() -> tuple[Settings, str]:
    settings = load_settings()
    configure_logging(settings)
    url, embedded = database_url(settings)
    if embedded:
        upgrade_to_head(url)
    return settings, url


def _secret(variable: str, prompt: str, *, missing: str) -> str:
    if password := os.environ.get(variable):
        return password
    if not sys.stdin.isatty():
        raise CliFailure(f"{missing}: set {variable}", exit_code=2)
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


async def _create_admin(settings: Settings, url: str, *, cpf: Cpf, name: str) -> AdminOutcome:
    async with command_database(settings, url) as database:
        users = build_user_service(database, Components.from_settings(settings))
        exists = (await UserRepository(database).get_by_cpf(cpf)).is_ok()
        password = None if exists else _secret("ADMIN_PASSWORD", "Admin password", missing=_NEW)
        result = await users.create_admin(name=name, cpf=cpf, password=password)
        if isinstance(result, Err):
            raise CliFailure(f"password refused: {result.err_value.detail}", exit_code=2)
        return result.ok_value.outcome


async def _reset_password(settings: Settings, url: str, *, cpf: Cpf, password: str) -> int:
    async with command_database(settings, url) as database:
        auth = build_auth_service(database, Components.from_settings(settings))
        result = await auth.reset_password(cpf=cpf, new_password=password)
        if isinstance(result, Err):
            raise CliFailure(f"not reset: {result.err_value.detail}", exit_code=2)
        return result.ok_value


async def _purge_sessions(settings: Settings, url: str) -> int:
    async with command_database(settings, url) as database:
        sessions = build_session_service(database, Components.from_settings(settings))
        return await sessions.purge()


async def _purge_audit_events(settings: Settings, url: str) -> int:
    async with command_database(settings, url) as database:
        events = build_audit_service(database, Components.from_settings(settings))
        return await events.purge()


async def _purge_idempotency_keys(settings: Settings, url: str) -> int:
    async with command_database(settings, url) as database:
        return await build_idempotency(database, Components.from_settings(settings)).purge()


async def _purge_orphans(settings: Settings, url: str) -> int:
    engine = create_engine(settings, url)
    components = Components.from_settings(settings)
    try:
        return await purge_stored_objects(create_sessionmaker(engine), components)
    finally:
        await components.storage.close()
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
