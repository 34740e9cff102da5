"""The demo office, built by the `demo` command into the test database."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "demo-pass-42"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def run_demo(db):
    """Run `jiesu demo` and return what it printed."""

    def run(*args: str) -> str:
        out = StringIO()
        call_command("demo", *args, now=NOW, stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def demo(run_demo):
    return run_demo("--cases", "300", "--months", "6", "--seed", "7", "--password", PASSWORD)
