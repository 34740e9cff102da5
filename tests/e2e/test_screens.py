"""The pages fit the screens offices have: 1280×800 and 1366×768 laptops, a 1920 monitor, a
390 px phone. Nothing is wider than the window, no navigation label breaks mid-word, the
deadline column is whole on a laptop, and on a phone every list is a card list showing each
case's state, lamp and countdown. Every page is saved as a full-page screenshot."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import at
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

SCREENS = {390: 844, 1280: 800, 1366: 768, 1920: 1080}
PHONE = 390
LAPTOPS = (1280, 1366)
DEADLINE_HEADERS = ("当前时限", "单位办理时限", "办结时间")
QUEUES = ["received", "accepted", "due_soon", "overdue", "review", "callback", "shelved"]


@pytest.fixture
def office(people, org, make_case, closed_case, categories):
    """A street office's working day: a case in every queue, scores for 2026-10, an
    application, an import, a column mapping, a dispatch rule."""
    from jiesu.assessment import applications
    from jiesu.assessment.models import ExemptionGround
    from jiesu.cases import workflow
    from jiesu.cases.models import Category
    from jiesu.intake.models import ColumnMapping, ImportRun, ImportStatus
    from jiesu.knowledge.models import RoutingRule

    now = timezone.now()
    stalls = categories["stalls"]
    building = Category.objects.create(name="违法建设及私搭乱建房屋管理", parent=categories["mid"])
    long_title = "华龙苑南里东门每天晚上有商贩占道经营,噪音很大,垃圾遍地,居民多次反映无人处理"
    make_case(title="楼道堆物", received_at=now - dt.timedelta(minutes=5), category=stalls)
    make_case(title=long_title, received_at=now - dt.timedelta(minutes=20))
    make_case(title="供暖不热", received_at=at("2026-03-02 09:00"))  # sign limit long past

    accepted = make_case(title="路灯不亮", received_at=now - dt.timedelta(hours=1))
    workflow.sign(accepted, by=people["zuoxi"], at=now - dt.timedelta(minutes=50))

    def dispatched(title, unit, received, category=stalls):
        case = make_case(title=title, received_at=received, category=category)
        workflow.sign(case, by=people["zuoxi"], at=received + dt.timedelta(minutes=5))
        workflow.dispatch(
            case, by=people["zuoxi"], lead_unit=org[unit], at=received + dt.timedelta(minutes=20)
        )
        return case

    working = dispatched(long_title, "hly", now - dt.timedelta(days=2))
    dispatched("小区垃圾清运不及时", "xyy", now - dt.timedelta(days=9))  # late
    dispatched("楼顶私搭乱建", "office", now - dt.timedelta(days=5), category=building)
    replied = dispatched("井盖缺失", "office", now - dt.timedelta(days=1))
    workflow.reply(
        replied,
        by=people["zuzhang"],
        contact_at=now - dt.timedelta(hours=20),
        contact_way="电话",
        facts="属实",
        actions="已补装井盖",
        result="已解决",
        citizen_response="满意",
        at=now - dt.timedelta(hours=2),
    )
    shelved = dispatched("小区违建拆除", "hly", now - dt.timedelta(days=30))
    workflow.shelve(shelved, by=people["zuzhang"], reason="涉及历史遗留问题,需长期推进")

    for unit, when, callback in [
        ("hly", "2026-10-05 09:00", {}),
        ("hly", "2026-10-06 10:00", {"solved": "unsolved", "satisfaction": "unsatisfied"}),
        ("xyy", "2026-10-07 11:00", {"solved": "partly"}),
        ("office", "2026-10-08 14:00", {}),
    ]:
        closed_case(unit, when=when, valid=True, **callback)
    closed_case("xyy", when="2026-10-09 15:00")  # waits for its callback

    # an earlier browser test's flush removes the grounds the migration created
    ground, _ = ExemptionGround.objects.get_or_create(
        name="恶意重复来电", defaults={"checklist": ["来电记录", "通话录音", "情况说明"]}
    )
    bad = closed_case("hly", when="2026-10-10 09:00", valid=True, satisfaction="unsatisfied")
    applications.create(
        bad,
        by=people["zuoxi"],
        kind="exemption",
        ground=ground,
        explanation="诉求人一月内来电 37 次,反映同一已办结事项,无新情况新理由。",
    )
    ImportRun.objects.create(
        platform="city",
        file_name="市级平台工单导出_2026年11月30日_霍营街道_全部在办.xlsx",
        started_by=people["zuoxi"],
        street=org["street"],
        status=ImportStatus.DONE,
        total_rows=120,
        done_rows=120,
        created=97,
        updated=20,
        unchanged=2,
        failed=1,
    )
    ColumnMapping.objects.create(
        street=org["street"], platform="city", header="诉求人联系电话(主叫)", field="caller_phone"
    )
    RoutingRule.objects.create(
        category=stalls,
        community=org["hly"],
        unit=org["office"],
        note="夜间占道经营由城管执法队配合处理",
        updated_by=people["zuzhang"],
    )
    from jiesu.reports.models import ReportRun, RunStatus

    for kind, title in [
        ("monthly", "霍营街道月报(2026-11)"),
        ("daily", "霍营街道日报(2026-11-30)"),
    ]:
        ReportRun.objects.create(
            kind=kind,
            title=title,
            unit=org["street"],
            schedule_key=f"{kind}:{title}",
            status=RunStatus.DONE,
            files={"docx": "x.docx", "xlsx": "x.xlsx", "pdf": "x.pdf"},
        )
    ReportRun.objects.create(
        kind="ledger",
        title="全部工单台账-20261130-1000",
        unit=org["street"],
        requested_by=people["zuzhang"],
        status=RunStatus.RUNNING,
        total_rows=250_000,
        done_rows=85_000,
    )
    from jiesu.org import roster
    from jiesu.org.models import Role
    from jiesu.supervision import handover

    day_shift, night_shift = roster.shifts()[:2]
    today = timezone.localdate()
    for offset in range(-1, 6):
        day = today + dt.timedelta(days=offset)
        first, second = (people["zuoxi"], people["zuzhang"])[:: 1 if offset % 2 else -1]
        roster.assign(unit=org["street"], day=day, shift=day_shift, user=first, role=Role.OPERATOR)
        roster.assign(unit=org["street"], day=day, shift=night_shift, user=second, role=Role.LEADER)
    latest, _ = handover.changes_around(now)
    handover.prepare(latest[0] + dt.timedelta(minutes=1))
    return {"case": working, "street": org["street"]}


def _pages(office) -> list[tuple[str, str]]:
    pages = [("cases", "/cases/")]
    pages += [(f"queue-{code}", f"/queues/{code}/") for code in QUEUES]
    pages += [
        ("case-detail", f"/cases/{office['case'].pk}/"),
        ("assessment", "/assessment/"),
        ("assessment-2026-10", "/assessment/?period=2026-10"),
        # the widest list: the cases behind a score, with their callback results
        (
            "score-cases",
            f"/assessment/cases/?period=2026-10&scope={office['street'].pk}&count=valid",
        ),
        ("applications", "/assessment/applications/"),
        ("import", "/intake/import/"),
        ("mappings", "/intake/import/mappings/"),
        ("audit", "/audit/"),
        ("rules", "/rules/"),
        ("reports", "/reports/"),
        ("ledgers", "/reports/ledgers/"),
        ("export-log", "/reports/exports/"),
        ("notifications", "/notifications/"),
        ("roster", "/duty/"),
        ("handovers", "/duty/handover/"),
        ("orders", "/notifications/orders/"),
    ]
    return pages


# Each check returns a list of problems, empty when the page is fine.
VISIBLE_JS = """
  function visible(el) {  // shown, and within the window's width
    if (!el) return false;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.left >= -0.5
      && box.right <= window.innerWidth + 0.5;
  }
"""

OVERFLOW_JS = """
() => {
  const wide = document.documentElement.scrollWidth, window_ = window.innerWidth;
  if (wide <= window_) return [];
  const culprits = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window_ + 0.5)
    .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return [`page is ${wide}px wide in a ${window_}px window (${culprits.join(', ')})`];
}
"""

NAV_JS = """
() => {
  const problems = [];
  document.querySelectorAll('.topbar a, .topbar button').forEach(item => {
    const style = getComputedStyle(item);
    if (style.display === 'none') return;
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
    const text = item.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    if (text > line * 1.5) problems.push(`nav item "${item.textContent.trim()}" wraps (${text}px tall)`);
    if (item.scrollWidth > item.clientWidth + 1 && style.overflow !== 'visible')
      problems.push(`nav item "${item.textContent.trim()}" is cut off`);
  });
  return problems;
}
"""

DEADLINE_JS = """
(headers) => {
  VISIBLE
  const problems = [];
  document.querySelectorAll('main table').forEach(table => {
    const ths = [...table.querySelectorAll('thead th')];
    const index = ths.findIndex(th => headers.includes(th.textContent.trim()));
    if (index < 0) return;
    if (!visible(ths[index]))
      problems.push(`the ${ths[index].textContent} column is hidden or off screen`);
    table.querySelectorAll('tbody tr[data-case-row]').forEach(row => {
      const cell = row.cells[index];
      if (!visible(cell)) problems.push(`case ${row.dataset.caseRow}: deadline cell not on screen`);
      else if (cell.scrollWidth > cell.clientWidth + 1)
        problems.push(`case ${row.dataset.caseRow}: deadline cell clipped`);
      cell && cell.querySelectorAll('[data-countdown]').forEach(countdown => {
        if (!visible(countdown)) problems.push(`case ${row.dataset.caseRow}: countdown hidden`);
      });
    });
  });
  return problems;
}
""".replace("VISIBLE", VISIBLE_JS)

CARDS_JS = """
(headers) => {
  VISIBLE
  const problems = [];
  document.querySelectorAll('main table.cases').forEach(table => {
    const ths = [...table.querySelectorAll('thead th')];
    const due = ths.findIndex(th => headers.includes(th.textContent.trim()));
    [...table.tBodies].flatMap(body => [...body.rows]).forEach(row => {
      if (row.querySelector('td.empty')) return;
      const name = row.dataset.caseRow || row.cells[0].textContent.trim().slice(0, 20);
      if (getComputedStyle(row).display === 'table-row')
        problems.push(`row ${name} is a table row, not a card`);
      row.querySelectorAll('td, th').forEach(cell => {
        if (cell.textContent.trim() && getComputedStyle(cell).display !== 'none' && !visible(cell))
          problems.push(`row ${name}: "${cell.textContent.trim().slice(0, 20)}" off screen`);
      });
      if (row.dataset.caseRow) {
        const state = row.querySelector('.state'), lamp = row.querySelector('[data-lamp]');
        if (!visible(state)) problems.push(`case ${name}: state not visible`);
        if (!visible(lamp)) problems.push(`case ${name}: lamp not visible`);
        if (due >= 0 && !visible(row.cells[due])) problems.push(`case ${name}: deadline not visible`);
        row.querySelectorAll('[data-countdown]').forEach(countdown => {
          if (!visible(countdown)) problems.push(`case ${name}: countdown not visible`);
        });
      }
      if (row.dataset.applicationRow) {
        if (!visible(row.querySelector('.state'))) problems.push(`application ${name}: state hidden`);
        const left = row.querySelector('[data-days-left]');
        if (!visible(left)) problems.push(`application ${name}: days left hidden`);
      }
    });
  });
  return problems;
}
""".replace("VISIBLE", VISIBLE_JS)

SCORES_JS = """
() => {
  VISIBLE
  const problems = [];
  const table = document.querySelector('[data-score-table]');
  if (!table) return ['no score table'];
  table.querySelectorAll('tbody tr[data-score-row]').forEach(row => {
    for (const key of ['response_rate', 'resolution_rate', 'satisfaction_rate', 'score']) {
      const cell = row.querySelector(`[data-drill="${key}"]`);
      // a table scrolling in its own box would do too: bring the cell into view first
      if (cell) cell.scrollIntoView({block: 'nearest', inline: 'nearest'});
      if (!visible(cell)) problems.push(`score row ${row.dataset.scoreRow}: ${key} not visible`);
    }
  });
  window.scrollTo(0, 0);
  return problems;
}
""".replace("VISIBLE", VISIBLE_JS)


def _check(page, width: int, name: str) -> list[str]:
    problems = page.evaluate(OVERFLOW_JS) + page.evaluate(NAV_JS)
    if width in LAPTOPS:
        problems += page.evaluate(DEADLINE_JS, list(DEADLINE_HEADERS))
    if width == PHONE:
        problems += page.evaluate(CARDS_JS, list(DEADLINE_HEADERS))
    if name in ("assessment", "assessment-2026-10"):
        problems += page.evaluate(SCORES_JS)
    return [f"{name} at {width}px: {p}" for p in problems]


@pytest.mark.parametrize("width", sorted(SCREENS))
def test_main_pages_fit_the_screen(page, office, output_dir, width):
    page.set_viewport_size({"width": width, "height": SCREENS[width]})
    problems = []

    page.goto("/login/")
    page.screenshot(path=output_dir / f"{width}-login.png", full_page=True)
    problems += _check(page, width, "login")

    login(page, "zuzhang")
    for name, path in _pages(office):
        response = page.goto(path)
        assert response.status < 400, (path, response.status)
        page.wait_for_load_state("networkidle")
        if name.startswith("queue") or name in ("cases", "score-cases"):
            assert page.locator("tr[data-case-row]").count() > 0, f"{path} is empty"
        page.screenshot(path=output_dir / f"{width}-{name}.png", full_page=True)
        problems += _check(page, width, name)

    # the community's own queue, with the unit's deadline
    login(page, "shequ")
    page.goto("/queues/mine/")
    page.wait_for_load_state("networkidle")
    assert page.locator("tr[data-case-row]").count() > 0
    page.screenshot(path=output_dir / f"{width}-queue-mine.png", full_page=True)
    problems += _check(page, width, "queue-mine")

    assert not problems, "\n".join(problems)
