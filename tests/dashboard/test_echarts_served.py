"""ECharts comes from npm (package-lock.json) and jiesu serves it: no CDN, no host in the lock."""

import json

from django.conf import settings
from django.contrib.staticfiles import finders

from jiesu.dashboard.finders import NodeModulesFinder


def test_the_lock_pins_echarts_and_names_no_host():
    lock = (settings.BASE_DIR / "package-lock.json").read_text()
    assert "http" not in lock
    pinned = json.loads((settings.BASE_DIR / "package.json").read_text())["dependencies"]
    assert pinned["echarts"] == json.loads(lock)["packages"]["node_modules/echarts"]["version"]


def test_only_the_min_file_of_node_modules_is_served():
    found = finders.find("echarts/echarts.min.js")
    assert found and found.endswith("node_modules/echarts/dist/echarts.min.js")
    assert finders.find("echarts/echarts.js") is None
    assert finders.find("echarts/package.json") is None
    listed = [name for name, _ in NodeModulesFinder().list([])]
    assert listed == ["echarts/echarts.min.js"]
    assert NodeModulesFinder().check() == []
