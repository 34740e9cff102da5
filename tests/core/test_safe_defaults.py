"""Safe by default: DEBUG off, a generated secret key, a public key refused, deploy check clean.

Each case starts a fresh Python process, because settings are read once per process.
"""

import os
import stat
import subprocess
import sys

import pytest

PRINT_SETTINGS = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'jiesu.settings'; django.setup();"
    "from django.conf import settings; print(settings.DEBUG); print(settings.SECRET_KEY)"
)


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIESU_")}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the test conftest, never in deployment
    env["JIESU_VAR_DIR"] = str(tmp_path / "var")
    env.update(extra)
    return env


def _python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_debug_is_off_and_a_key_is_generated_once(tmp_path):
    first = _python(PRINT_SETTINGS, _env(tmp_path))
    assert first.returncode == 0, first.stderr
    debug, key = first.stdout.split()
    assert debug == "False"
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.read_text().strip() == key
    assert len(key) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    second = _python(PRINT_SETTINGS, _env(tmp_path))
    assert second.stdout.split()[1] == key  # the same key after a restart: sessions survive

    other = _python(PRINT_SETTINGS, _env(tmp_path / "elsewhere"))
    assert other.stdout.split()[1] != key  # every installation its own key


def test_debug_only_when_asked(tmp_path):
    result = _python(PRINT_SETTINGS, _env(tmp_path, JIESU_DEBUG="1"))
    assert result.stdout.split()[0] == "True"


@pytest.mark.parametrize(
    "key",
    [
        "jiesu-development-key-change-me-in-production",
        "django-insecure-abcdefghijklmnopqrstuvwxyz0123456789",
        "short",
    ],
)
def test_a_public_or_short_key_is_refused_with_debug_off(tmp_path, key):
    result = _python(PRINT_SETTINGS, _env(tmp_path, JIESU_SECRET_KEY=key))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "生产环境不能使用" in result.stderr
    # with DEBUG on (a developer's machine) it is allowed
    allowed = _python(PRINT_SETTINGS, _env(tmp_path, JIESU_SECRET_KEY=key, JIESU_DEBUG="1"))
    assert allowed.returncode == 0, allowed.stderr


def test_deploy_check_is_clean_behind_https(tmp_path):
    env = _env(tmp_path, JIESU_HTTPS="1", JIESU_ALLOWED_HOSTS="jiesu.example.gov.cn")
    command = [sys.executable, "-m", "jiesu.cli", "check", "--deploy", "--fail-level", "WARNING"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

    # without https the same check names what is missing, so the guide's step is needed
    plain = subprocess.run(command, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert plain.returncode != 0
    assert "SECURE_HSTS_SECONDS" in plain.stdout + plain.stderr
