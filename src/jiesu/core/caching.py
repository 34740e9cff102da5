"""A settings cache that every process refreshes on its own, so a change made in one web
or worker process reaches the others within a minute without a restart."""

import functools
import time

REFRESH_SECONDS = 60


def refreshed(loader):
    """Cache a zero-argument loader for REFRESH_SECONDS; `.cache_clear()` forces a reload."""
    state = {"value": None, "at": float("-inf")}

    @functools.wraps(loader)
    def cached():
        now = time.monotonic()
        if now - state["at"] > REFRESH_SECONDS:
            state["value"], state["at"] = loader(), now
        return state["value"]

    def cache_clear():
        state["at"] = float("-inf")

    cached.cache_clear = cache_clear
    return cached
