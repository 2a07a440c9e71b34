"""Faults injected under a running two-worker server, seen from its clients.

The database stops, restarts and crashes, the pool runs dry, the server gets
SIGTERM, all while clients write and read. Every request gets an answer: a
success, or a 503 problem with `Retry-After`; never a 500 or a dropped
connection (SIGTERM aside, after which new connections are refused). Every
write acknowledged with 201 is in the database; none answered 503 or left
without an answer is. The counts are printed: run with `-s` to see them.
"""

import asyncio
import contextlib
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest

from app.core.config.db.migrations import upgrade_to_head
from tests.conftest import PASSWORD, PROBLEM, bearer, cpf_from_seed
from tests.database import asyncpg_dsn, migrated_database
from tests.own_postgres import OwnPostgres, own_postgres
from tests.served_app import served_app

WORKERS = 2
WRITERS = 8
CLIENT_TIMEOUT_SECONDS = 15
# Bounds on waits, well above what they take: the tests never measure time.
RECOVERY_BOUND_SECONDS = 30
EXIT_BOUND_SECONDS = 30
# A client that was refused pauses this long before it tries again, so a stopped
# database does not turn the writers into a busy loop on two cores.
PAUSE_AFTER_REFUSAL_SECONDS = 0.05

LISTINGS = "/api/v1/real-estates"
READY = "/health/ready"
REFUSALS = {"DATABASE_UNAVAILABLE", "OVERLOADED"}


@pytest.fixture(scope="module")
def scratch_url(server_url: str) -> Iterator[str]:
    """A migrated database of its own: a table lock here blocks no other test."""
    with migrated_database(server_url) as url:
        yield url


@pytest.fixture
def postgres() -> Iterator[OwnPostgres]:
    """A migrated PostgreSQL this test may stop, start and crash."""
    with own_postgres() as server:
        upgrade_to_head(server.url)
        yield server


def _listing(title: str) -> dict[str, object]:
    return {
        "title": title,
        "kind": "apartment",
        "purpose": "sale",
        "price_cents": 85_000_000,
        "area_m2": 72.5,
        "bedrooms": 2,
        "address": {
            "street": "Avenida Paulista",
            "number": "1578",
            "neighborhood": "Bela Vista",
            "city": "São Paulo",
            "state": "SP",
            "postal_code": "01310-200",
        },
    }


@dataclass(frozen=True)
class Outcome:
    """What one request got: an answer (status, problem code, headers) or a transport error."""

    kind: str  # "write", "read" or "ready"
    phase: str
    status: int | None = None
    code: str | None = None
    retry_after: str | None = None
    content_type: str | None = None
    error: str | None = None
    title: str | None = None
    request_id: str | None = None  # to find the request in the server's log

    @property
    def answered(self) -> bool:
        """Whether an HTTP response came back at all."""
        return self.status is not None

    @property
    def succeeded(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300

    def describe(self) -> str:
        """One line for an assertion message."""
        if self.error is not None:
            return f"{self.kind} in {self.phase}: no response ({self.error})"
        return (
            f"{self.kind} in {self.phase}: {self.status} {self.code} "
            f"retry-after={self.retry_after} content-type={self.content_type} "
            f"request_id={self.request_id}"
        )


async def _outcome(
    kind: str, phase: str, request: Awaitable[httpx.Response], *, title: str | None = None
) -> Outcome:
    try:
        response = await request
    except httpx.TransportError as error:
        return Outcome(kind, phase, error=f"{type(error).__name__}: {error}", title=title)
    code = None
    if response.headers.get("content-type") == PROBLEM:
        code = response.json().get("code")
    return Outcome(
        kind,
        phase,
        status=response.status_code,
        code=code,
        retry_after=response.headers.get("retry-after"),
        content_type=response.headers.get("content-type"),
        title=title,
        request_id=response.headers.get("x-request-id"),
    )


def _honest_refusal(outcome: Outcome, codes: set[str]) -> bool:
    return (
        outcome.status == 503
        and outcome.code in codes
        and outcome.retry_after is not None
        and outcome.content_type == PROBLEM
    )


def _unexpected(outcomes: list[Outcome], codes: set[str] = REFUSALS) -> list[str]:
    """Every outcome that is neither a success nor an honest 503 refusal."""
    return [
        outcome.describe()
        for outcome in outcomes
        if not (outcome.succeeded or _honest_refusal(outcome, codes))
    ]


@dataclass
class Traffic:
    """Clients that keep writing and reading until `stop` is set, recording every outcome."""

    client: httpx.AsyncClient
    token: str
    listing_id: str
    prefix: str
    phase: str = "before"
    outcomes: list[Outcome] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def _loop(self, call: Callable[[int], Awaitable[Outcome]]) -> None:
        attempt = 0
        while not self.stopping.is_set():
            outcome = await call(attempt)
            self.outcomes.append(outcome)
            attempt += 1
            if not outcome.succeeded:
                await asyncio.sleep(PAUSE_AFTER_REFUSAL_SECONDS)

    def writer(self, number: int) -> Coroutine[Any, Any, None]:
        """POST listings with unique titles."""

        async def write(attempt: int) -> Outcome:
            title = f"{self.prefix}-w{number}-{attempt}"
            post = self.client.post(LISTINGS, json=_listing(title), headers=bearer(self.token))
            return await _outcome("write", self.phase, post, title=title)

        return self._loop(write)

    def reader(self) -> Coroutine[Any, Any, None]:
        """GET the caller's own listing (a signed-in read) and the public search, in turn."""

        async def read(attempt: int) -> Outcome:
            if attempt % 2:
                get = self.client.get(f"{LISTINGS}?limit=5")
            else:
                get = self.client.get(f"{LISTINGS}/{self.listing_id}", headers=bearer(self.token))
            return await _outcome("read", self.phase, get)

        return self._loop(read)

    def prober(self) -> Coroutine[Any, Any, None]:
        """Ask for readiness, as a load balancer would, a few times a second."""

        async def probe(_: int) -> Outcome:
            outcome = await _outcome("ready", self.phase, self.client.get(READY))
            await asyncio.sleep(0.2)
            return outcome

        return self._loop(probe)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the writers, two readers and the prober for the block."""
        tasks = [asyncio.create_task(self.writer(number)) for number in range(WRITERS)]
        tasks += [asyncio.create_task(self.reader()) for _ in range(2)]
        tasks.append(asyncio.create_task(self.prober()))
        try:
            yield
        finally:
            self.stopping.set()
            await asyncio.gather(*tasks)


async def _collector_token(client: httpx.AsyncClient, seed: int) -> str:
    cpf = cpf_from_seed(seed)
    account = {"name": "Fault Tester", "cpf": cpf, "password": PASSWORD}
    signed_up = await client.post("/api/v1/users", json=account)
    assert signed_up.status_code == 201, signed_up.text
    signed_in = await client.post("/api/v1/sign-in", json={"cpf": cpf, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    token: str = signed_in.json()["access_token"]
    return token


async def _first_listing(client: httpx.AsyncClient, token: str, prefix: str) -> str:
    created = await client.post(LISTINGS, json=_listing(f"{prefix}-first"), headers=bearer(token))
    assert created.status_code == 201, created.text
    listing_id: str = created.json()["id"]
    return listing_id


async def _stored_titles(database_url: str, prefix: str) -> set[str]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT title FROM real_estates WHERE starts_with(title, $1)", f"{prefix}-w"
        )
    finally:
        await connection.close()
    return {row["title"] for row in rows}


async def _wait_until_ready(client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + RECOVERY_BOUND_SECONDS
    while time.monotonic() < deadline:
        if (await client.get(READY)).status_code == 200:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{READY} did not answer 200 within {RECOVERY_BOUND_SECONDS} s")


def _tally(outcomes: list[Outcome]) -> Counter[str]:
    return Counter(
        f"{outcome.phase}: {outcome.kind} {outcome.status or 'no response'}"
        + (f" {outcome.code}" if outcome.code else "")
        for outcome in outcomes
    )


def _print_tally(heading: str, outcomes: list[Outcome]) -> None:
    print(f"\n{heading}")
    for line, count in _tally(outcomes).items():
        print(f"  {line}: {count}")


def _writes_match_the_database(outcomes: list[Outcome], stored: set[str]) -> list[str]:
    """Acknowledged writes that are missing, and refused or unanswered ones that are there."""
    faults = []
    for outcome in outcomes:
        if outcome.kind != "write" or outcome.title is None:
            continue
        if outcome.status == 201 and outcome.title not in stored:
            faults.append(f"acknowledged but missing: {outcome.describe()} {outcome.title}")
        if outcome.status != 201 and outcome.title in stored:
            faults.append(f"not acknowledged but stored: {outcome.describe()} {outcome.title}")
    return faults


async def test_stop_start_and_crash_of_the_database_under_concurrent_writers(
    postgres: OwnPostgres, tmp_path: Path
) -> None:
    prefix = f"fault-{uuid4().hex[:8]}"
    env = {"DATABASE_CONNECT_TIMEOUT_SECONDS": "2", "DATABASE_POOL_TIMEOUT_SECONDS": "2"}
    with served_app(postgres.url, tmp_path, workers=WORKERS, env=env) as server:
        async with httpx.AsyncClient(
            base_url=server.base_url, timeout=CLIENT_TIMEOUT_SECONDS
        ) as client:
            token = await _collector_token(client, seed=7001)
            listing_id = await _first_listing(client, token, prefix)
            traffic = Traffic(client, token, listing_id, prefix)
            async with traffic.running():
                await asyncio.sleep(2)
                traffic.phase = "stopped"
                await asyncio.to_thread(postgres.stop)
                await asyncio.sleep(3)
                traffic.phase = "starting"
                await asyncio.to_thread(postgres.start)
                traffic.phase = "restarted"
                await asyncio.sleep(2)
                traffic.phase = "crashing"
                await asyncio.to_thread(postgres.restart_immediately)
                traffic.phase = "after the crash"
                await asyncio.sleep(3)
            await _wait_until_ready(client)
            # The same server, never restarted, serves again: writes and reads.
            recovered = Traffic(client, token, listing_id, prefix, phase="recovered")
            for number in range(10):
                title = f"{prefix}-w-recovered-{number}"
                post = client.post(LISTINGS, json=_listing(title), headers=bearer(token))
                recovered.outcomes.append(await _outcome("write", "recovered", post, title=title))
                get = client.get(f"{LISTINGS}/{listing_id}", headers=bearer(token))
                recovered.outcomes.append(await _outcome("read", "recovered", get))
        stored = await _stored_titles(postgres.url, prefix)
        log = server.log_text()

    outcomes = traffic.outcomes
    _print_tally("database stop, start and crash under load:", outcomes)
    _print_tally("after recovery:", recovered.outcomes)
    writes = [outcome for outcome in outcomes if outcome.kind == "write"]
    print(
        f"  writes acknowledged: {sum(o.status == 201 for o in writes)}, "
        f"refused: {sum(o.status == 503 for o in writes)}, stored: {len(stored)}"
    )
    answers = REFUSALS | {"NOT_READY", "WRITE_OUTCOME_UNKNOWN"}
    assert _unexpected(outcomes, answers) == [], log[-5000:]
    ready = [outcome for outcome in outcomes if outcome.kind == "ready"]
    assert any(o.status == 503 and o.code == "NOT_READY" for o in ready if o.phase == "stopped")
    assert any(o.status == 201 for o in writes if o.phase == "before")
    assert [o.describe() for o in recovered.outcomes if not o.succeeded] == []
    # A write whose COMMIT was on the wire when the stop or the crash cut its connection
    # may have committed (its commit record reached the WAL) or not: it is answered 503
    # WRITE_OUTCOME_UNKNOWN, never DATABASE_UNAVAILABLE ("nothing was changed"); each
    # writer has at most one in flight when each of the two faults hits.
    unknown = [o for o in writes if o.code == "WRITE_OUTCOME_UNKNOWN"]
    print(
        f"  outcome unknown (COMMIT cut by the crash): {len(unknown)}, "
        f"of which stored: {sum(o.title in stored for o in unknown)}"
    )
    assert len(unknown) <= 2 * WRITERS
    checked = [o for o in [*outcomes, *recovered.outcomes] if o not in unknown]
    assert _writes_match_the_database(checked, stored) == []
    assert "Traceback" not in log


async def test_writes_alone_recover_after_a_database_restart(
    postgres: OwnPostgres, tmp_path: Path
) -> None:
    # No reads and no readiness probes: nothing but the writes themselves may find the
    # pooled connections the restart killed and replace them.
    pool_size = 3
    env = {"DATABASE_POOL_SIZE": str(pool_size)}
    prefix = f"fault-{uuid4().hex[:8]}"
    with served_app(postgres.url, tmp_path, workers=1, env=env) as server:
        async with httpx.AsyncClient(
            base_url=server.base_url, timeout=CLIENT_TIMEOUT_SECONDS
        ) as client:
            token = await _collector_token(client, seed=7002)
            await _first_listing(client, token, prefix)
            postgres.stop()
            postgres.start()
            outcomes = []
            for attempt in range(3 * pool_size):
                title = f"{prefix}-w-{attempt}"
                post = client.post(LISTINGS, json=_listing(title), headers=bearer(token))
                outcomes.append(await _outcome("write", "restarted", post, title=title))
        stored = await _stored_titles(postgres.url, prefix)

    _print_tally("writes alone after a database restart:", outcomes)
    assert _unexpected(outcomes) == []
    # The pool lends no connection the restart closed: the first write succeeds already.
    assert [outcome.describe() for outcome in outcomes if not outcome.succeeded] == []
    assert _writes_match_the_database(outcomes, stored) == []


async def test_an_exhausted_pool_answers_503_then_serves_again(
    scratch_url: str, tmp_path: Path
) -> None:
    flood = 16
    env = {
        "DATABASE_POOL_SIZE": "1",
        "DATABASE_MAX_OVERFLOW": "0",
        "DATABASE_POOL_TIMEOUT_SECONDS": "1",
        # Well above how long the test holds the lock: the blocked reads wait for it, and
        # every refusal comes from the pool, not from a statement that gave up.
        "DATABASE_STATEMENT_TIMEOUT_SECONDS": "60",
    }
    search = f"{LISTINGS}?limit=5"
    with served_app(scratch_url, tmp_path, workers=WORKERS, env=env) as server:
        async with httpx.AsyncClient(
            base_url=server.base_url, timeout=CLIENT_TIMEOUT_SECONDS * 2
        ) as client:
            before = await _outcome("read", "before", client.get(search))
            locker = await asyncpg.connect(asyncpg_dsn(scratch_url))
            lock = locker.transaction()
            await lock.start()
            try:
                # Every search now blocks on the lock, holding its worker's only connection.
                await locker.execute("LOCK TABLE real_estates IN ACCESS EXCLUSIVE MODE")
                reads = [
                    asyncio.create_task(_outcome("read", "locked", client.get(search)))
                    for _ in range(flood)
                ]
                # At most one read per worker holds a connection; the others time out in
                # the pool's queue and are answered while the lock still holds.
                deadline = time.monotonic() + RECOVERY_BOUND_SECONDS
                while sum(read.done() for read in reads) < flood - WORKERS:
                    assert time.monotonic() < deadline, "the pool's queue never timed out"
                    await asyncio.sleep(0.1)
                answered_while_locked = [read.result() for read in reads if read.done()]
                ready_while_locked = await _outcome("ready", "locked", client.get(READY))
            finally:
                await lock.rollback()
                await locker.close()
            locked = await asyncio.gather(*reads)
            after = [await _outcome("read", "released", client.get(search)) for _ in range(10)]
        log = server.log_text()

    _print_tally("pool of one connection per worker, table locked:", locked)
    print(f"  answered while locked: {len(answered_while_locked)}")
    print(f"  readiness while locked: {ready_while_locked.describe()}")
    _print_tally("lock released:", after)
    assert before.status == 200
    assert _unexpected(locked, {"DATABASE_UNAVAILABLE"}) == [], log[-5000:]
    refused = [outcome for outcome in locked if outcome.status == 503]
    assert len(refused) >= flood - WORKERS
    # The reads that held the connections finish once the lock is gone.
    assert 1 <= sum(outcome.status == 200 for outcome in locked) <= WORKERS
    assert all(outcome.status == 503 for outcome in answered_while_locked)
    assert [outcome.describe() for outcome in after if outcome.status != 200] == []
    assert "Traceback" not in log


async def test_sigterm_under_load_loses_no_acknowledged_write(
    scratch_url: str, tmp_path: Path
) -> None:
    prefix = f"fault-{uuid4().hex[:8]}"
    env = {"SHUTDOWN_GRACE_SECONDS": "2"}
    with served_app(scratch_url, tmp_path, workers=WORKERS, env=env) as server:
        async with httpx.AsyncClient(
            base_url=server.base_url, timeout=CLIENT_TIMEOUT_SECONDS
        ) as client:
            token = await _collector_token(client, seed=7003)
            listing_id = await _first_listing(client, token, prefix)
            traffic = Traffic(client, token, listing_id, prefix)
            writers = [asyncio.create_task(traffic.writer(number)) for number in range(WRITERS)]
            await asyncio.sleep(2)
            traffic.phase = "terminating"
            server.process.send_signal(signal.SIGTERM)
            exit_code = await asyncio.to_thread(server.process.wait, EXIT_BOUND_SECONDS)
            traffic.phase = "exited"
            await asyncio.sleep(0.5)  # the writers meet a closed port
            traffic.stopping.set()
            await asyncio.gather(*writers)
        log = server.log_text()
    stored = await _stored_titles(scratch_url, prefix)

    outcomes = traffic.outcomes
    _print_tally("SIGTERM under load:", outcomes)
    unanswered = [outcome for outcome in outcomes if not outcome.answered]
    print(
        "  no response: "
        + ", ".join(
            f"{kind}: {count}"
            for kind, count in Counter(
                (outcome.error or "").split(":")[0] for outcome in unanswered
            ).items()
        )
    )
    print(f"  acknowledged: {sum(o.status == 201 for o in outcomes)}, stored: {len(stored)}")
    assert exit_code in (0, -signal.SIGTERM), log[-5000:]
    assert "Finished server process" in log
    assert any(outcome.status == 201 for outcome in outcomes if outcome.phase == "before")
    # Answers are successes or honest refusals; the rest got no answer at all.
    assert _unexpected([o for o in outcomes if o.answered]) == [], log[-5000:]
    assert _writes_match_the_database(outcomes, stored) == []
    assert "Traceback" not in log
