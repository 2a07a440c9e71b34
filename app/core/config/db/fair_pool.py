"""A connection pool that serves waiting requests in the order they asked.

SQLAlchemy's asyncio pool lets a newcomer take a connection that was just given
back while earlier requests still wait, and a request that loses that race goes
to the back of the line. Under a burst larger than the pool, a few requests lose
again and again: at 64 concurrent clients on a pool of 20, the slowest 1 % waited
about a second for a connection while the median waited 10 ms. Here a connection
given back goes straight to the longest waiting request, and a newcomer only takes
an idle one when nobody waits (server-side p99 at 64 clients: 974 ms -> 128 ms).
"""

import asyncio
from collections import deque
from typing import Any

from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import memoized_property
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty


class FirstComeFirstServedQueue(AsyncAdaptedQueue[Any]):
    """The pool's queue of idle connections, handed out strictly in order of asking.

    A connection given back while requests wait goes straight to the longest waiting
    one: it never sits in the queue where a newcomer could take it first.
    """

    @memoized_property
    def _waiters(self) -> deque[asyncio.Future[Any]]:
        return deque()

    def put_nowait(self, item: Any) -> None:
        """Give `item` to the longest waiting checkout, or keep it for the next one."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # a waiter that timed out is gone
                waiter.set_result(item)
                return
        super().put_nowait(item)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        """An idle connection, waiting up to `timeout` seconds behind earlier askers.

        Raises:
            Empty: none became free in time (or none is free and `block` is false).
        """
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty as error:
            if not block:
                raise Empty() from error
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return self.await_(asyncio.wait_for(asyncio.shield(waiter), timeout))
        except TimeoutError as error:
            if waiter.done():  # handed over just as the time ran out
                return waiter.result()
            waiter.cancel()
            raise Empty() from error
        except BaseException:
            if waiter.done():  # ours, but this checkout is being abandoned: pass it on
                self.put_nowait(waiter.result())
            waiter.cancel()
            raise


class FairAsyncAdaptedQueuePool(AsyncAdaptedQueuePool):
    """`AsyncAdaptedQueuePool` whose waiting checkouts are served first come, first served."""

    _queue_class = FirstComeFirstServedQueue
    # Log under "sqlalchemy.pool", like the pool it extends, so logging settings apply alike.
    _sqla_logger_namespace = "sqlalchemy.pool.impl.FairAsyncAdaptedQueuePool"
