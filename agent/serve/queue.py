"""A bounded queue for model calls: at most `limit` run at once, the rest wait, and every call
has a deadline, so many clients at once slow the server down instead of exhausting it.

The work runs in a dedicated thread pool (a model call is blocking); waiting happens in the
pool's queue, not in a thread, so a thousand waiting requests cost a thousand small objects.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel

from fitcoach.errors import FitcoachError

# How many requests may wait per running slot before new ones are turned away at once: a
# client that would wait behind this many answers is better told to come back later.
WAITING_PER_SLOT = 50


class Busy(FitcoachError):
    """The queue is full, or a call waited past its deadline without starting (HTTP 503)."""

    status = 503


class TooSlow(FitcoachError):
    """A call started but did not finish within the deadline (HTTP 504)."""

    status = 504


class QueueStats(BaseModel):
    """What `/healthz` reports about the model queue."""

    limit: int
    running: int
    waiting: int
    served: int
    rejected: int
    timed_out: int


class ModelQueue:
    """Run blocking calls with bounded concurrency and a deadline (`timeout_s`)."""

    def __init__(self, limit: int, timeout_s: float, max_waiting: int | None = None) -> None:
        self.limit = limit
        self.timeout_s = timeout_s
        self.max_waiting = limit * WAITING_PER_SLOT if max_waiting is None else max_waiting
        self._pool: ThreadPoolExecutor | None = None  # started on first use, again after close
        self._lock = threading.Lock()
        self._running = 0
        self._waiting = 0
        self._served = 0
        self._rejected = 0
        self._timed_out = 0

    def stats(self) -> QueueStats:
        with self._lock:
            return QueueStats(
                limit=self.limit,
                running=self._running,
                waiting=self._waiting,
                served=self._served,
                rejected=self._rejected,
                timed_out=self._timed_out,
            )

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Queue `fn(*args)`; raises `Busy` at once when too many are already waiting."""
        with self._lock:
            if self._waiting >= self.max_waiting:
                self._rejected += 1
                raise Busy(
                    f"the server is busy: {self._waiting} questions are already waiting",
                    hint="retry in a minute, or raise serve.max_concurrency if the machine "
                    "has room for more model calls at once",
                )
            self._waiting += 1
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.limit, thread_name_prefix="fitcoach-model")
            pool = self._pool

        def job() -> Any:
            with self._lock:
                self._waiting -= 1
                self._running += 1
            try:
                return fn(*args)
            finally:
                with self._lock:
                    self._running -= 1
                    self._served += 1

        future = pool.submit(job)
        future.add_done_callback(self._forget_if_cancelled)
        return future

    def _forget_if_cancelled(self, future: Future) -> None:
        if future.cancelled():  # it never started, so `job` never left the waiting count
            with self._lock:
                self._waiting -= 1

    def _expired(self, future: Future) -> FitcoachError:
        with self._lock:
            self._timed_out += 1
        if future.cancel():
            return Busy(
                f"no free slot within {self.timeout_s:g} s: other questions are still running",
                hint="retry later, or raise serve.max_concurrency or serve.timeout_s",
            )
        return TooSlow(
            f"the answer took longer than {self.timeout_s:g} s",
            hint="retry; if it keeps happening raise serve.timeout_s or use a faster model "
            "(agent.model)",
        )

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """`fn(*args)` in the pool, within the deadline; a call that never started is dropped
        when its client goes away (one already running finishes in its thread)."""
        future = self.submit(fn, *args)
        try:
            return await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(future)), self.timeout_s
            )
        except asyncio.TimeoutError:
            raise self._expired(future) from None
        except asyncio.CancelledError:
            future.cancel()
            raise

    async def stream(
        self, fn: Callable[[Callable[[str, Any], None], threading.Event], None]
    ) -> AsyncIterator[tuple[str, Any]]:
        """Run `fn(emit, stop)` in the pool and yield each `(event, data)` it emits.

        Yields `("status", {"state": "queued", ...})` while waiting for a slot. On the deadline
        it raises `Busy`/`TooSlow`; when the consumer stops early it sets `stop` (the job should
        check it between items) and drops the call if it never started.
        """
        loop = asyncio.get_running_loop()
        items: asyncio.Queue[tuple[str, Any] | None] = asyncio.Queue()
        stop = threading.Event()
        deadline = loop.time() + self.timeout_s

        def put(item: tuple[str, Any] | None) -> None:
            try:
                loop.call_soon_threadsafe(items.put_nowait, item)
            except RuntimeError:  # the server shut down under us: nobody is listening
                stop.set()

        def emit(event: str, data: Any) -> None:
            put((event, data))

        def job() -> None:
            try:
                if not stop.is_set():
                    emit("status", {"state": "running"})
                    fn(emit, stop)
            except BaseException as exc:  # handed to the consumer, raised in its task
                put((_RAISED, exc))
            finally:
                put(None)

        future = self.submit(job)
        try:
            now = self.stats()
            if now.running + now.waiting > self.limit:  # every slot taken: say so while waiting
                yield "status", {"state": "queued", "waiting": now.waiting}
            while True:
                try:
                    item = await asyncio.wait_for(items.get(), max(0.0, deadline - loop.time()))
                except asyncio.TimeoutError:
                    raise self._expired(future) from None
                if item is None:
                    return
                if item[0] is _RAISED:
                    raise item[1]
                yield item
        finally:
            stop.set()
            future.cancel()

    def close(self) -> None:
        """Drop waiting calls and let running ones finish in their threads."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


_RAISED: Any = object()  # marks an exception travelling from the job to the consumer
