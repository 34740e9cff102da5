"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def _chromium_path() -> str:
    path = os.environ.get("JIESU_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("找不到 Chromium:请先运行 `make test`(会自动安装 Debian 的 chromium 软件包)。")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def output_dir(request) -> Path:
    base = Path(os.environ.get("JIESU_TEST_OUTPUT", "test-results"))
    path = base / "e2e" / request.node.name
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1360, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def submit_password(page, username: str) -> None:
    """Fill and send the login form with the fixtures' password ("pw-" + username)."""
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()


def login(page, username: str) -> None:
    """Log in through the page and land on the role's start: the case list, or the
    dashboard for 组长, 数据专员, 区级督办 and 系统管理员."""
    submit_password(page, username)
    page.wait_for_url(re.compile(r".*/(cases|dashboard)/$"))


def csp_reports(page) -> list:
    """Every message in which the browser says the Content-Security-Policy blocked something,
    as (page address, message), collected from now on."""
    found = []

    def keep(message):
        if "Content Security Policy" in message.text:
            found.append((page.url, message.text))

    page.on("console", keep)
    return found
