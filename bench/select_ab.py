"""The case list with the filter selects written in Python (cases.forms.FastSelect) against
Django's own Select widget, in one run on one database, through the test client.

    python bench/select_ab.py VAR_DIR     # VAR_DIR holds a demo jiesu.sqlite3 (`jiesu demo`)
"""

import os
import statistics
import sys
import time

var = sys.argv[1] if len(sys.argv) > 1 else "var"
os.environ.update(
    JIESU_ALLOWED_HOSTS="testserver", JIESU_VAR_DIR=var, DJANGO_SETTINGS_MODULE="jiesu.settings"
)
import django  # noqa: E402

django.setup()
from django import forms  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402

from jiesu.cases.filters import CaseFilter, FastSelect  # noqa: E402

PAGES = ("/queues/received/", "/cases/")
client = Client()
client.force_login(User.objects.get(username="zuoxi"))


def median(path: str, runs: int = 30) -> float:
    client.get(path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


selects = [f for f in CaseFilter.base_filters.values() if f.extra.get("widget") is FastSelect]
print("FastSelect", {p: round(median(p), 1) for p in PAGES})
for each in selects:  # the baseline: Django's widget, one template per option
    each.extra["widget"] = forms.Select
print("baseline: Django Select", {p: round(median(p), 1) for p in PAGES})
html = client.get(PAGES[0]).content.decode()
print("options on the page:", html.count("<option"))
