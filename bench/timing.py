"""The one timing rule of the benchmarks: the median of a few calls after a warm-up."""

import statistics
import time


def timed(fn, runs: int = 5) -> float:
    """Median milliseconds of `runs` calls, after one warm-up."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
