from jiesu.core import caching


def test_refreshed_reloads_after_the_interval(monkeypatch):
    clock = {"now": 1000.0}
    monkeypatch.setattr(caching.time, "monotonic", lambda: clock["now"])
    loads = []

    @caching.refreshed
    def load():
        loads.append(clock["now"])
        return len(loads)

    assert load() == 1
    clock["now"] += caching.REFRESH_SECONDS - 1
    assert load() == 1
    clock["now"] += 2
    assert load() == 2
    load.cache_clear()
    assert load() == 3
