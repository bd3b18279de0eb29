"""How many threads llama.cpp should use for one answer: the cores other processes leave free.

llama.cpp's CPU back-end splits every matrix product across its threads and meets at a
spinning barrier after each of the few hundred operations per token. With a thread more than
the free cores, the whole answer waits on whichever thread the kernel has descheduled: on the
2-core development machine with other jobs running, the answer step took 25.7 s on 2 threads
against 3.1 s on 1, and 58 s against 5.1 s with one more CPU-bound process (bench/latency.py
--threads 1,2,0 [--compete]; the slowest single answer on 2 threads took 168 s). So the count is decided per answer from what other processes used since the
previous answer, or are running at this instant, whichever is more: all cores only when they
are idle, one fewer per busy core, never below one. The instant count (`procs_running`) also
catches work in this same process that the time since the last answer cannot tell apart from
our own generation, such as another request's retrieval in the server.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass

# Busy cores of other processes below which a core still counts as free: a shell, an editor or
# a desktop idle loop uses a few percent and must not halve the thread count.
IDLE_SLACK = 0.25
# Shortest window worth measuring: /proc/stat counts in 10 ms ticks, so shorter windows are
# mostly rounding.
MIN_WINDOW_S = 0.1


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def threads_for(cores: int, others_busy: float) -> int:
    """Threads to use when other processes keep `others_busy` cores busy on average."""
    taken = max(0, math.ceil(others_busy - IDLE_SLACK))
    return max(1, min(cores, cores - taken))


@dataclass(frozen=True)
class _Sample:
    at: float
    busy_ticks: int  # all CPUs, all processes
    own_ticks: int  # this process, all its threads
    running: int = 1  # runnable threads system-wide at this instant, the reader included


def _sample() -> _Sample | None:
    """One reading of /proc (Linux); None elsewhere."""
    try:
        with open("/proc/stat") as fh:
            lines = fh.read().splitlines()
        with open("/proc/self/stat") as fh:
            own = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # cpu user nice system idle iowait irq softirq steal ...: idle and iowait are not busy
    values = [int(v) for v in lines[0].split()[1:9]]
    busy = sum(values) - values[3] - values[4]
    running = next((int(x.split()[1]) for x in lines if x.startswith("procs_running")), 1)
    return _Sample(time.monotonic(), busy, int(own[11]) + int(own[12]), running)  # utime+stime


def _running_now(first: int, reads: int = 3, gap_s: float = 0.002) -> int:
    """Runnable threads now: the least of a few reads 2 ms apart, so that a thread pool still
    spinning out its last parallel region (torch's, after a query embedding) is not counted."""
    least = first
    for _ in range(reads - 1):
        if least <= 1:
            break
        time.sleep(gap_s)
        sample = _sample()
        least = min(least, sample.running if sample else least)
    return least


class CpuWatch:
    """Measures how many cores other processes kept busy between two calls of `others_busy`.

    Linux reads /proc (this process's own time is subtracted, so a warm loop of answers does not
    count itself as load); elsewhere the 1-minute load average stands in, which includes this
    process and so errs towards fewer threads.
    """

    def __init__(self) -> None:
        self._last = _sample()
        self._ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.last_estimate: float | None = None

    def others_busy(self) -> float | None:
        now = _sample()
        if now is None or self._last is None:
            try:
                return os.getloadavg()[0]
            except (AttributeError, OSError):
                return None
        window = now.at - self._last.at
        instant = float(max(0, _running_now(now.running) - 1))  # every runnable thread but ours
        if window < MIN_WINDOW_S:
            if self.last_estimate is not None:  # back-to-back calls: the last figure stands
                return max(self.last_estimate, instant)
            time.sleep(MIN_WINDOW_S - window)
            now = _sample() or now
            window = now.at - self._last.at
        others = (now.busy_ticks - self._last.busy_ticks) - (now.own_ticks - self._last.own_ticks)
        self._last = now
        self.last_estimate = max(0.0, others / self._ticks / window)
        return max(self.last_estimate, instant)

    def threads(self, cores: int | None = None) -> int:
        cores = cores or usable_cores()
        busy = self.others_busy()
        return 1 if busy is None else threads_for(cores, busy)
