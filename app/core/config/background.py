"""Jobs a worker repeats while it serves, each logging its failures and carrying on."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RepeatedJob:
    """`run` every `interval_seconds`, from start-up to shutdown."""

    name: str
    interval_seconds: float
    run: Callable[[], Awaitable[object]]


async def _repeat(job: RepeatedJob) -> None:
    while True:
        await asyncio.sleep(job.interval_seconds)
        try:
            await job.run()
        except Exception as error:
            logger.warning("background job %s failed: %s", job.name, type(error).__name__)


@contextlib.asynccontextmanager
async def running(jobs: list[RepeatedJob]) -> AsyncIterator[None]:
    """Run `jobs` for the block; cancel them when it ends."""
    tasks = [asyncio.create_task(_repeat(job), name=job.name) for job in jobs]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
