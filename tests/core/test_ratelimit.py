"""The rate limiter: windows, verdicts and headers, in memory and over a real Redis."""

import time
import uuid
from collections.abc import Iterator

import pytest

from app.core.config.ratelimit import Policy, RateLimiter, RateLimits
from app.core.config.settings import Settings
from tests.redis_server import RedisProcess, redis_process, redis_url

TWO_PER_MINUTE = Policy.parse("test", "2/minute;3/hour")


def _key() -> str:
    return uuid.uuid4().hex


async def test_requests_pass_until_a_window_is_full_then_get_a_retry_after() -> None:
    limiter = RateLimiter.in_memory()
    key = _key()

    verdicts = [await limiter.hit(TWO_PER_MINUTE, key) for _ in range(3)]

    assert [verdict.allowed for verdict in verdicts] == [True, True, False]
    first, _, refused = verdicts
    assert first.headers["RateLimit-Policy"] == '"test";q=2;w=60, "test";q=3;w=3600'
    assert first.headers["RateLimit"].startswith('"test";r=1;t=')
    assert 1 <= int(first.headers["RateLimit"].rpartition("t=")[2]) <= 60
    assert "Retry-After" not in first.headers
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit"].startswith('"test";r=0;t=')


async def test_the_longer_window_refuses_once_the_short_one_has_room() -> None:
    policy = Policy.parse("test", "5/minute;2/hour")
    limiter = RateLimiter.in_memory()
    key = _key()

    verdicts = [await limiter.hit(policy, key) for _ in range(3)]
    # Windows are aligned to the clock: in an hour's last minute the hourly one ends sooner.
    hour_ends_in = 3600 - time.time() % 3600

    assert [verdict.allowed for verdict in verdicts] == [True, True, False]
    assert int(verdicts[2].headers["Retry-After"]) > min(60, hour_ends_in - 2)


async def test_a_check_does_not_count_and_keys_count_apart() -> None:
    limiter = RateLimiter.in_memory()
    key, other = _key(), _key()

    checks = [await limiter.check(TWO_PER_MINUTE, key) for _ in range(5)]
    hits = [await limiter.hit(TWO_PER_MINUTE, key) for _ in range(2)]

    assert all(verdict.allowed for verdict in checks + hits)
    assert not (await limiter.check(TWO_PER_MINUTE, key)).allowed
    assert (await limiter.hit(TWO_PER_MINUTE, other)).allowed


async def test_a_disabled_limiter_lets_everything_through_without_headers() -> None:
    limiter = RateLimiter.in_memory(enabled=False)

    verdicts = [await limiter.hit(TWO_PER_MINUTE, "k") for _ in range(5)]

    assert all(verdict.allowed for verdict in verdicts)
    assert all(verdict.headers == {} for verdict in verdicts)


@pytest.mark.parametrize("text", ["", "five per minute", "5/fortnight", "5/minute;;x"])
def test_a_limit_outside_the_notation_is_a_configuration_error(text: str) -> None:
    with pytest.raises(ValueError, match="not a rate limit"):
        Settings(_env_file=None, sign_in_limit_per_address=text)


def test_a_redis_url_must_be_one() -> None:
    with pytest.raises(ValueError, match="redis://"):
        Settings(_env_file=None, redis_url="http://localhost:6379")


# --- over Redis ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_redis() -> Iterator[str]:
    with redis_url() as url:
        yield url


async def test_two_limiters_over_one_redis_share_their_counts(shared_redis: str) -> None:
    errors: list[None] = []
    first = RateLimiter.over_redis(shared_redis, on_store_error=lambda: errors.append(None))
    second = RateLimiter.over_redis(shared_redis, on_store_error=lambda: errors.append(None))
    key = _key()

    verdicts = [await limiter.hit(TWO_PER_MINUTE, key) for limiter in (first, second, first)]

    assert [verdict.allowed for verdict in verdicts] == [True, True, False]
    assert errors == []


@pytest.fixture
def private_redis() -> Iterator[RedisProcess]:
    with redis_process() as server:
        yield server


async def test_when_redis_goes_down_requests_pass_and_are_counted_as_store_errors(
    private_redis: RedisProcess,
) -> None:
    errors: list[None] = []
    limiter = RateLimiter.over_redis(private_redis.url, on_store_error=lambda: errors.append(None))
    key = _key()
    assert (await limiter.hit(TWO_PER_MINUTE, key)).allowed

    private_redis.stop()
    while_down = [await limiter.hit(TWO_PER_MINUTE, key) for _ in range(4)]
    private_redis.start()
    recovered = [await limiter.hit(TWO_PER_MINUTE, key) for _ in range(3)]

    assert all(verdict.allowed and not verdict.known for verdict in while_down)
    assert len(errors) == 4
    assert [verdict.allowed for verdict in recovered] == [True, True, False]


async def test_the_settings_choose_redis_when_a_url_is_given(shared_redis: str) -> None:
    settings = Settings(_env_file=None, redis_url=shared_redis, sign_up_limit_per_address="1/hour")
    one, other = RateLimits.from_settings(settings), RateLimits.from_settings(settings)
    key = _key()

    first = await one.limiter.hit(one.sign_up, key)
    second = await other.limiter.hit(other.sign_up, key)

    assert (first.allowed, second.allowed) == (True, False)
    assert one.sign_in.windows[0].amount == 20


def test_an_empty_redis_url_means_none() -> None:
    assert Settings(_env_file=None, redis_url="").redis_url is None
