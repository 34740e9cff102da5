"""The import page queues a 100,000-row export; the worker imports it while the page shows
progress, and the page ends with a summary."""

import threading
import time

import pytest
from django.db import connection
from openpyxl import Workbook

from jiesu.cases.models import Case
from jiesu.intake import runs
from tests.intake.conftest import HEADER, export_row

pytestmark = pytest.mark.e2e
ROWS = 100_000


@pytest.fixture(scope="session")
def big_export(tmp_path_factory):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(HEADER)
    for n in range(1, ROWS + 1):
        sheet.append(
            export_row(
                n,
                工单编号=f"B{n:07d}",
                来电时间="不详" if n % 20000 == 0 else "2026-03-02 09:15:00",
            )
        )
    path = tmp_path_factory.mktemp("import") / "十万行导出.xlsx"
    book.save(path)
    return path


def _done_rows(page) -> int:
    done = page.locator("[data-import-status=running] [data-done]")
    return int(done.inner_text()) if done.count() else 0


@pytest.fixture
def worker():
    """`jiesu worker`'s import job, in a thread of the test: claims queued runs and runs them."""
    stop = threading.Event()

    def loop():
        try:
            while not stop.is_set():
                runs.run_queued()
                stop.wait(0.5)
        finally:
            connection.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=300)


def test_progress_summary_and_error_link(page, people, categories, big_export, output_dir, worker):
    page.goto("/login/")
    page.get_by_label("用户名").fill("zuoxi")
    page.get_by_label("密码").fill("pw-zuoxi")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/cases/")
    page.locator('[data-nav="import"]').click()
    page.select_option("select[name=platform]", "city")
    page.set_input_files("input[name=file]", str(big_export))
    page.locator('[data-action="import"]').click()
    page.wait_for_selector("[data-import-status=running] [data-done]", timeout=60_000)
    # polled from here: the page's Content-Security-Policy refuses wait_for_function's eval
    deadline = time.monotonic() + 120
    while not _done_rows(page):
        assert time.monotonic() < deadline, "进度没有变化"
        page.wait_for_timeout(250)
    page.screenshot(path=output_dir / "progress.png")
    page.wait_for_selector("[data-import-summary]", timeout=240_000)
    summary = page.locator("[data-import-summary]").inner_text()
    assert "新增 99995 件" in summary and "失败 5 行" in summary
    assert page.locator("[data-errors-file]").count() == 1
    # every failed row on the page with its reason: lines 20001, 40001 … of the sheet
    failed = page.locator("[data-failed-row]")
    assert failed.count() == 5 and failed.first.get_attribute("data-failed-row") == "20001"
    assert "来电时间:无法识别的日期时间(原值“不详”)" in failed.first.inner_text()
    page.screenshot(path=output_dir / "summary.png")
    assert Case.objects.count() == ROWS - 5
