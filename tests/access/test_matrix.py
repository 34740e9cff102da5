"""The access matrix: for every model with a declared `scope`, every persona of the demo
office and every action the scope declares, each surface that lists the model's rows
(pages, the API, exports, Open311) shows exactly the rows `reach` gives, or reach ∩ the
surface's own condition where it shows a subset by design (a queue, a drill-down, the
probed detail pages). Surfaces a persona may not open show nothing."""

import datetime as dt
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pytest
from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jiesu.assessment import applications
from jiesu.assessment.models import APPLICANTS
from jiesu.assessment.queries import cases_behind
from jiesu.cases import batch, deadlines, queues
from jiesu.cases.models import RUNNING_STATES, Case, CaseEvent, Lamp, State
from jiesu.core.models import ApiToken
from jiesu.org.access import Reach
from jiesu.org.models import HANDLER_ROLES, Role, Unit, UnitKind

PERSONAS = [
    "admin",
    "zuzhang",
    "zuoxi",
    "shenhe",
    "shuju",
    "tichu",
    "keshi",
    "shequ",
    "shequ2",
    "ducha",
    "outsider",
    "expired",
    "nobody",
]
# On PostgreSQL (the suite's second run) one persona per kind of grant walks every surface:
# district, street desk, office, community, another street, an expired grant, none. The
# surfaces are the same code on both databases; the scopes' SQL of every role is checked on
# both by test_reach.py, and every persona here runs on SQLite.
POSTGRES_PERSONAS = ["ducha", "zuoxi", "keshi", "shequ", "outsider", "expired", "nobody"]
COMMUNITY_HANDLERS = {"shequ": "hly", "shequ2": "community2"}
REFUSED = (403, 404)


class Wrong(AssertionError):
    """A surface answered neither with rows nor with a refusal."""


@dataclass
class Ctx:
    """One persona in front of the surfaces."""

    persona: str
    office: dict
    client: Client = field(repr=False)

    @property
    def user(self):
        return self.office["users"][self.persona]

    @cached_property
    def reach(self) -> Reach:
        return Reach(self.user)

    @cached_property
    def bearer(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(self.user)}"}

    @cached_property
    def api_key(self) -> str:
        return ApiToken.issue(self.user)

    def get(self, url, **extra):
        """A GET, answered once per persona and module: the office does not change between
        the tests, and the timeline surfaces read the same detail pages as the detail ones."""
        key = (self.persona, url, tuple(sorted(extra)))
        if key not in _answers:
            _answers[key] = self.client.get(url, **extra)
        return _answers[key]


_answers: dict = {}


@pytest.fixture(scope="module", autouse=True)
def _forget_answers():
    _answers.clear()
    yield
    _answers.clear()


# --- reading what a surface shows --------------------------------------------------------


def _ids(pattern: str, text: str) -> set[int]:
    return {int(m) for m in re.findall(pattern, text)}


def _walk(ctx: Ctx, url: str, row: str) -> set[int]:
    """Every row of a paged HTML list, following its 下一页 links."""
    shown, seen = set(), set()
    while url:
        assert url not in seen, f"paging loops at {url}"
        seen.add(url)
        response = ctx.get(url)
        if response.status_code in REFUSED:
            return set()
        if response.status_code != 200:
            raise Wrong(f"{url}: {response.status_code}")
        text = response.content.decode()
        shown |= _ids(rf'{row}="(\d+)"', text)
        following = re.search(r'href="([^"]*)" data-page="next"', text)
        url = url.split("?")[0] + html.unescape(following.group(1)) if following else None
    return shown


def _api_walk(ctx: Ctx, url: str, size: int = 100) -> set[int]:
    shown, page, glue = set(), 1, "&" if "?" in url else "?"
    while True:
        response = ctx.get(f"{url}{glue}page_size={size}&page={page}", **ctx.bearer)
        if response.status_code in (*REFUSED, 422):
            return set()
        if response.status_code != 200:
            raise Wrong(f"{url}: {response.status_code}")
        body = response.json()
        shown |= {item["id"] for item in body["items"]}
        if page * size >= body["count"]:
            assert len(shown) == body["count"], f"{url}: count {body['count']}, rows {len(shown)}"
            return shown
        page += 1


def _probed(ctx: Ctx, urls: dict[int, str], *, post=None, api=False, refused=(404,)):
    """The probed rows whose page answers 200; any other answer must be a refusal."""
    shown = set()
    for pk, url in urls.items():
        if post is not None:
            extra = dict(ctx.bearer, content_type="application/json") if api else {}
            response = ctx.client.post(url, post, **extra)
        else:
            response = ctx.get(url, **(ctx.bearer if api else {}))
        if response.status_code == 200:
            shown.add(pk)
        elif response.status_code not in refused:
            raise Wrong(f"{url}: {response.status_code}")
    return shown


def _workbook_cases(ctx: Ctx, content: bytes) -> set[int]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("工单编号")
    numbers = ctx.office["case_by_number"]
    return {numbers[row[column]] for row in rows[1:] if row and row[column]}


def _home(ctx: Ctx):
    """The unit of the persona's first grant: where its 考核 drill-down opens."""
    return ctx.reach.grants[0].unit_id if ctx.reach.grants else None


DRILL_COUNT = "received"


def _drill_url(ctx: Ctx, path: str, unit_param: str) -> str:
    """The cases behind 受理量 of the persona's own unit in the edge cases' period (with no
    grant, no unit: the page refuses)."""
    query = f"count={DRILL_COUNT}"
    if _home(ctx) is not None:
        query += f"&period={ctx.office['period']}&{unit_param}={_home(ctx)}"
    return f"{path}?{query}"


def _drill_condition(ctx: Ctx) -> Q:
    unit = Unit.objects.get(pk=_home(ctx))
    return cases_behind(ctx.office["period"], unit, None, DRILL_COUNT)


# --- the surfaces of cases -----------------------------------------------------------------


def case_list(ctx):
    return _walk(ctx, reverse("case_list"), "data-case-row")


def case_detail(ctx):
    return _probed(ctx, {pk: reverse("case_detail", args=[pk]) for pk in ctx.office["probes"]})


def drilldown_page(ctx):
    return _walk(ctx, _drill_url(ctx, reverse("assessment_cases"), "scope"), "data-case-row")


def drilldown_export(ctx):
    response = ctx.get(_drill_url(ctx, reverse("assessment_cases_export"), "scope"))
    if response.status_code in REFUSED:
        return set()
    if response.status_code != 200:
        raise Wrong(f"drill-down export: {response.status_code}")
    return _workbook_cases(ctx, response.content)


def ledger_export(ctx):
    everything = sorted(ctx.office["case_by_number"].values())
    assert len(everything) <= batch.MAX_CASES, "the export would drop ticked cases"
    response = ctx.client.post(reverse("case_bulk"), {"bulk_action": "export", "ids": everything})
    if response.status_code in REFUSED:
        return set()
    if response.status_code != 200:
        raise Wrong(f"ledger export: {response.status_code}")
    return _workbook_cases(ctx, response.content)


def api_cases(ctx):
    return _api_walk(ctx, "/api/v1/cases")


def api_case_detail(ctx):
    return _probed(ctx, {pk: f"/api/v1/cases/{pk}" for pk in ctx.office["probes"]}, api=True)


def api_drilldown(ctx):
    return _api_walk(ctx, _drill_url(ctx, "/api/v1/scores/cases", "unit"), size=500)


def open311_requests(ctx):
    """requests.json over 89-day windows back from now to before the first case."""
    shown, end = set(), ctx.office["now"] + dt.timedelta(minutes=5)
    while end > ctx.office["first_received"]:
        start = end - dt.timedelta(days=89)
        response = ctx.client.get(
            "/open311/v2/requests.json",
            {"api_key": ctx.api_key, "start_date": start.isoformat(), "end_date": end.isoformat()},
        )
        if response.status_code in REFUSED:
            return set()
        if response.status_code != 200:
            raise Wrong(f"requests.json: {response.status_code}")
        found = response.json()
        assert len(found) < 1000, "the window hit Open311's limit"
        shown |= {int(r["service_request_id"]) for r in found}
        end = start
    return shown


def open311_request(ctx):
    urls = {
        pk: f"/open311/v2/requests/{pk}.json?api_key={ctx.api_key}" for pk in ctx.office["probes"]
    }
    return _probed(ctx, urls)


def case_reveal(ctx):
    urls = {pk: reverse("case_reveal", args=[pk, "caller_phone"]) for pk in ctx.office["probes"]}
    return _probed(ctx, urls, post={}, refused=REFUSED)


def api_reveal(ctx):
    urls = {pk: f"/api/v1/cases/{pk}/reveal" for pk in ctx.office["probes"]}
    return _probed(ctx, urls, post={"field": "caller_phone"}, api=True, refused=REFUSED)


def _queue_page(code):
    return lambda ctx: _walk(ctx, reverse("queue", args=[code]), "data-case-row")


def _queue_api(code):
    return lambda ctx: _api_walk(ctx, f"/api/v1/cases?queue={code}")


def _queue_condition(code):
    """What each queue holds, as the desk describes it (not read from cases.queues)."""

    def condition(ctx) -> Q:
        now = dt.datetime.now(dt.UTC)
        if code in ("received", "accepted", "shelved"):
            return Q(state=code)
        if code == "review":
            return Q(state=State.REPLIED)
        if code == "due_soon":
            return Q(state__in=RUNNING_STATES) & deadlines.lamp_filter(Lamp.YELLOW, now)
        if code == "overdue":
            return Q(state__in=RUNNING_STATES) & deadlines.lamp_filter(Lamp.RED, now)
        if code == "callback":
            return Q(awaiting_callback_at__isnull=False)
        if code == "approvals":  # a special case signed, unapproved; an extension asked for
            special = Q(state=State.ACCEPTED, dispatch_approved=False) & ~Q(special="")
            return special | Q(state=State.DISPATCHED, extension_requested_until__isnull=False)
        assert code == "mine", code
        units = ctx.reach.units(HANDLER_ROLES).values("id")
        co_unit = Case.co_units.through.objects.filter(case_id=OuterRef("pk"), unit_id__in=units)
        working = Q(state__in=[State.DISPATCHED, State.SHELVED])
        return working & (Q(lead_unit_id__in=units) | Exists(co_unit))

    return condition


# --- the surfaces of the other scoped models -------------------------------------------------


def _timeline_events(ctx, entries: dict[int, list]) -> set[int]:
    """Event ids of the timelines shown, matched by position in each case's history."""
    shown = set()
    for pk, actions in entries.items():
        history = list(CaseEvent.objects.filter(case_id=pk).order_by("at", "id"))
        assert [e.action for e in history[: len(actions)]] == actions, pk
        shown |= {e.pk for e in history[: len(actions)]}
    return shown


def page_timeline(ctx):
    entries = {}
    for pk in ctx.office["probes"]:
        response = ctx.get(reverse("case_detail", args=[pk]))
        if response.status_code == 200:
            entries[pk] = re.findall(r'<li data-event="([a-z_]+)"', response.content.decode())
    return _timeline_events(ctx, entries)


def api_timeline(ctx):
    entries = {}
    for pk in ctx.office["probes"]:
        response = ctx.get(f"/api/v1/cases/{pk}", **ctx.bearer)
        if response.status_code == 200:
            entries[pk] = [e["action"] for e in response.json()["timeline"]]
    return _timeline_events(ctx, entries)


def duplicates(ctx):
    """The possible duplicates the probed case pages point to."""
    shown = set()
    for pk in ctx.office["probes"]:
        response = ctx.get(reverse("case_detail", args=[pk]))
        if response.status_code == 200:
            shown |= _ids(r'data-duplicate="(\d+)"', response.content.decode())
    return shown


def application_list(ctx):
    return _walk(ctx, reverse("application_list"), "data-application-row")


def application_detail(ctx):
    urls = {pk: reverse("application_detail", args=[pk]) for pk in ctx.office["applications"]}
    return _probed(ctx, urls)


def _page_ids(ctx, url: str, pattern: str, refused=REFUSED) -> set[int]:
    """The row ids of a one-page list."""
    response = ctx.get(url)
    if response.status_code in refused:
        return set()
    if response.status_code != 200:
        raise Wrong(f"{url}: {response.status_code}")
    return _ids(pattern, response.content.decode())


def rule_list(ctx):
    return _page_ids(ctx, reverse("rule_list"), r'data-rule="(\d+)"')


def import_page(ctx):
    return _page_ids(ctx, reverse("import_page"), r'data-import-run="(\d+)"')


def import_run(ctx):
    urls = {pk: reverse("import_run", args=[pk]) for pk in ctx.office["import_runs"]}
    return _probed(ctx, urls, refused=REFUSED)


def _ledger_runs() -> set[int]:
    from jiesu.reports.models import ReportRun

    return set(ReportRun.objects.filter(kind="ledger").values_list("pk", flat=True))


def report_list(ctx):
    """The reports the page lists (the reader's own ledgers aside: test_jobs checks them)."""
    return _page_ids(ctx, reverse("reports"), r'<tr data-run="(\d+)"') - _ledger_runs()


def report_run(ctx):
    urls = {pk: reverse("report_run", args=[pk]) for pk in ctx.office["report_runs"]}
    return _probed(ctx, urls, refused=REFUSED) - _ledger_runs()


def _reports(ctx):
    """The report runs of the scope; a ledger is its asker's (test_jobs checks that)."""
    return ~Q(kind="ledger")


def order_list(ctx):
    return _page_ids(ctx, reverse("orders"), r'<tr data-order="(\d+)"')


def order_export(ctx):
    response = ctx.get(reverse("orders_summary"))
    if response.status_code in REFUSED:
        return set()
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    numbers = {o.number: o.pk for o in apps.get_model("supervision.SupervisionOrder").objects.all()}
    return {numbers[row[0]] for row in list(sheet.iter_rows(values_only=True))[1:] if row[0]}


def order_detail(ctx):
    urls = {pk: reverse("order_detail", args=[pk]) for pk in ctx.office["orders"]}
    return _probed(ctx, urls, refused=REFUSED)


def order_answer_list(ctx):
    return _page_ids(ctx, reverse("orders"), r'<tr data-answer="(\d+)"')


def order_answer(ctx):
    urls = {pk: reverse("order_answer", args=[pk]) for pk in ctx.office["order_answers"]}
    return _probed(ctx, urls, refused=REFUSED)


def _order_cases(name: str) -> Callable:
    return lambda ctx: _walk(ctx, reverse(name), "data-case-row")


def _carried_over(ctx):
    from jiesu.supervision import orders

    return Q(pk__in=orders.carried_over(Case.objects.all()))


def _sent_direct(ctx):
    from jiesu.assessment.rules import period_of
    from jiesu.supervision import orders

    return Q(pk__in=orders.sent_direct(Case.objects.all(), period_of(dt.datetime.now(dt.UTC))))


def _deleted(ctx, urls: dict[int, str]) -> set[int]:
    """The rows a delete button removes (it answers with a redirect); others are refused."""
    shown = set()
    for pk, url in urls.items():
        response = ctx.client.post(url)
        if response.status_code == 302:
            shown.add(pk)
        elif response.status_code not in REFUSED:
            raise Wrong(f"{url}: {response.status_code}")
    return shown


def rule_delete(ctx):
    return _deleted(ctx, {pk: reverse("rule_delete", args=[pk]) for pk in ctx.office["rules"]})


def column_mappings(ctx):
    return _page_ids(ctx, reverse("import_mappings"), r'data-mapping="(\d+)"')


def value_synonyms(ctx):
    return _page_ids(ctx, reverse("import_mappings"), r'data-synonym="(\d+)"')


def mapping_delete(ctx):
    urls = {pk: reverse("import_mapping_delete", args=[pk]) for pk in ctx.office["mappings"]}
    return _deleted(ctx, urls)


def synonym_delete(ctx):
    urls = {pk: reverse("value_synonym_delete", args=[pk]) for pk in ctx.office["synonyms"]}
    return _deleted(ctx, urls)


APPLICANT_BUTTONS = {
    button
    for step in applications.STEPS.values()
    if step.roles == APPLICANTS
    for button in step.buttons
}


def application_apply(ctx):
    """The applications whose page offers the applicant's steps (修改, 提交审核, 登记…)."""
    shown = set()
    for pk in ctx.office["applications"]:
        response = ctx.get(reverse("application_detail", args=[pk]))
        if response.status_code == 200:
            offered = set(re.findall(r'data-action="([a-z_]+)"', response.content.decode()))
            if offered & APPLICANT_BUTTONS:
                shown.add(pk)
        elif response.status_code != 404:
            raise Wrong(f"application {pk}: {response.status_code}")
    return shown


def _applicant_states(ctx) -> Q:
    states = {
        s for step in applications.STEPS.values() if step.roles == APPLICANTS for s in step.sources
    }
    return Q(state__in=states)


def admin_reveals(ctx):
    pattern = r"/admin/core/piiaccess/(\d+)/change/"
    # people who are not staff are sent to the admin's login page
    return _page_ids(ctx, "/admin/core/piiaccess/", pattern, refused=(302, *REFUSED))


# --- the registry ----------------------------------------------------------------------------


def everyone(reach) -> bool:
    return True


def holding(*roles, kinds=None) -> Callable:
    return lambda reach: reach.holds(*roles, kinds=kinds)


def granted(reach) -> bool:
    return bool(reach.grants)


@dataclass(frozen=True)
class Surface:
    name: str
    model: str  # app_label.ModelName
    action: str
    show: Callable  # ctx -> ids of the model's rows the surface shows
    condition: Callable | None = None  # ctx -> Q: the subset the surface shows by design
    opens: Callable = everyone  # reach -> whether the persona may open it at all
    # False for a surface whose own condition is not restated here: it must show no row
    # beyond reach, and some row to someone
    exact: bool = True


def _probes(ctx):
    return Q(pk__in=ctx.office["probes"])


def _probe_events(ctx):
    return Q(case_id__in=ctx.office["probes"])


DESK_STREET = (Role.LEADER, Role.OPERATOR)
SURFACES = [
    Surface("page:cases", "cases.Case", "view", case_list),
    *(
        Surface(
            f"page:queue/{q.code}",
            "cases.Case",
            "view",
            _queue_page(q.code),
            _queue_condition(q.code),
            holding(*q.roles),
        )
        for q in queues.QUEUES
    ),
    Surface("page:case_detail", "cases.Case", "view", case_detail, _probes),
    Surface("page:drilldown", "cases.Case", "view", drilldown_page, _drill_condition, granted),
    Surface("export:drilldown", "cases.Case", "view", drilldown_export, _drill_condition, granted),
    Surface(
        "export:ledger",
        "cases.Case",
        "view",
        ledger_export,
        opens=holding(Role.LEADER, Role.OPERATOR, Role.SUPERVISOR),
    ),
    Surface("api:cases", "cases.Case", "view", api_cases),
    *(
        Surface(
            f"api:queue/{q.code}",
            "cases.Case",
            "view",
            _queue_api(q.code),
            _queue_condition(q.code),
            holding(*q.roles),
        )
        for q in queues.QUEUES
    ),
    Surface("api:case_detail", "cases.Case", "view", api_case_detail, _probes),
    Surface("api:drilldown", "cases.Case", "view", api_drilldown, _drill_condition, granted),
    Surface("open311:requests", "cases.Case", "view", open311_requests),
    Surface("open311:request", "cases.Case", "view", open311_request, _probes),
    Surface("page:reveal", "cases.Case", "reveal", case_reveal, _probes),
    Surface("api:reveal", "cases.Case", "reveal", api_reveal, _probes),
    Surface("page:duplicates", "cases.Case", "view", duplicates, exact=False),
    Surface("page:timeline", "cases.CaseEvent", "view", page_timeline, _probe_events),
    Surface("api:timeline", "cases.CaseEvent", "view", api_timeline, _probe_events),
    Surface("page:applications", "assessment.Application", "view", application_list),
    Surface("page:application_detail", "assessment.Application", "view", application_detail),
    Surface(
        "page:application_apply",
        "assessment.Application",
        "apply",
        application_apply,
        _applicant_states,
    ),
    Surface(
        "page:rules",
        "knowledge.RoutingRule",
        "edit",
        rule_list,
        opens=holding(Role.LEADER, kinds=[UnitKind.STREET]),
    ),
    Surface(
        "page:rule_delete",
        "knowledge.RoutingRule",
        "edit",
        rule_delete,
        opens=holding(Role.LEADER, kinds=[UnitKind.STREET]),
    ),
    Surface(
        "page:mappings",
        "intake.ColumnMapping",
        "view",
        column_mappings,
        opens=holding(*DESK_STREET, kinds=[UnitKind.STREET]),
    ),
    Surface(
        "page:mapping_delete",
        "intake.ColumnMapping",
        "view",
        mapping_delete,
        opens=holding(*DESK_STREET, kinds=[UnitKind.STREET]),
    ),
    Surface(
        "page:value_mappings",
        "intake.ValueSynonym",
        "view",
        value_synonyms,
        opens=holding(*DESK_STREET, kinds=[UnitKind.STREET]),
    ),
    Surface(
        "page:value_mapping_delete",
        "intake.ValueSynonym",
        "change",
        synonym_delete,
        opens=holding(Role.LEADER, kinds=[UnitKind.STREET]),
    ),
    Surface(
        "admin:reveals",
        "core.PiiAccess",
        "view",
        admin_reveals,
        opens=lambda reach: reach.user.is_staff,
    ),
    Surface(
        "page:imports",
        "intake.ImportRun",
        "view",
        import_page,
        opens=holding(*DESK_STREET, kinds=[UnitKind.STREET]),
    ),
    Surface("page:reports", "reports.ReportRun", "view", report_list, _reports),
    Surface("page:report_run", "reports.ReportRun", "view", report_run, _reports),
    Surface("page:orders", "supervision.SupervisionOrder", "view", order_list),
    Surface("page:order", "supervision.SupervisionOrder", "view", order_detail),
    Surface("export:orders", "supervision.SupervisionOrder", "view", order_export),
    Surface("page:order_answers", "supervision.OrderAnswer", "answer", order_answer_list),
    Surface("page:order_answer", "supervision.OrderAnswer", "answer", order_answer),
    Surface(
        "page:orders/carried_over",
        "cases.Case",
        "view",
        _order_cases("orders_carried_over"),
        _carried_over,
        granted,
    ),
    Surface(
        "page:orders/direct",
        "cases.Case",
        "view",
        _order_cases("orders_direct"),
        _sent_direct,
        granted,
    ),
    Surface(
        "page:import_run",
        "intake.ImportRun",
        "view",
        import_run,
        opens=holding(*DESK_STREET, kinds=[UnitKind.STREET]),
    ),
]
BY_NAME = {s.name: s for s in SURFACES}
# Declared actions no surface lists rows for, and why.
UNLISTED = {
    ("knowledge.RoutingRule", "view"): "no page lists rules to read; the dispatch suggestions "
    "(insights.routing) read them for one case and show unit names only",
}

# Surfaces that disagree with reach today: (surface, persona) -> what is wrong.
FINDINGS: dict[tuple[str, str], str] = {}


def scoped_models() -> dict[str, object]:
    return {m._meta.label: m for m in apps.get_models() if hasattr(m, "scope")}


def expected(surface: Surface, ctx: Ctx) -> set[int]:
    model = scoped_models()[surface.model]
    if not surface.opens(ctx.reach):
        return set()
    rows = model.objects.visible_to(ctx.reach, surface.action)
    if surface.condition is not None:
        rows = rows.filter(surface.condition(ctx))
    return set(rows.values_list("pk", flat=True))


def _personas() -> list[str]:
    from django.conf import settings

    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    return POSTGRES_PERSONAS if on_postgres else PERSONAS


def _matrix():
    for surface in SURFACES:
        for persona in _personas():
            reason = FINDINGS.get((surface.name, persona))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(persona, surface.name, id=f"{persona}-{surface.name}", marks=marks)


@pytest.fixture
def ctx(request, demo_office, db, client):
    persona = request.node.callspec.params["persona"]
    client.force_login(demo_office["users"][persona])
    return Ctx(persona, demo_office, client)


@pytest.mark.parametrize(("persona", "surface_name"), list(_matrix()))
def test_surface_shows_exactly_the_reach(persona, surface_name, ctx):
    surface = BY_NAME[surface_name]
    if surface.model not in scoped_models():
        pytest.skip(f"{surface.model} declares no scope yet")
    before = expected(surface, ctx)
    shown = surface.show(ctx)
    after = expected(surface, ctx)  # a lamp may change colour while the page renders
    if not surface.exact:
        assert shown <= before | after, _difference(shown, before | after)
    elif before == after:
        assert shown == before, _difference(shown, before)
    else:
        assert before & after <= shown <= before | after, _difference(shown, before | after)


def _queue_sizes(ctx) -> dict[str, int]:
    return {
        q.code: len(expected(BY_NAME[f"page:queue/{q.code}"], ctx))
        for q in queues.QUEUES
        if holding(*q.roles)(ctx.reach)
    }


def _lamp_sizes(ctx) -> dict[str, int]:
    running, now = ctx.reach.cases().filter(state__in=RUNNING_STATES), dt.datetime.now(dt.UTC)
    lamps = (Lamp.RED, Lamp.YELLOW, Lamp.GREEN)
    return {lamp: running.filter(deadlines.lamp_filter(lamp, now)).count() for lamp in lamps}


@pytest.mark.parametrize("persona", PERSONAS)
def test_counts_are_those_of_the_reach(persona, ctx):
    """The navigation's queue counts and the list's lamp counts count the reach too (as
    before or after the page, should a lamp change colour meanwhile)."""
    before = _queue_sizes(ctx), _lamp_sizes(ctx)
    nav = ctx.client.get(reverse("queue_counts")).content.decode()
    page = ctx.client.get(reverse("case_list")).content.decode()
    after = _queue_sizes(ctx), _lamp_sizes(ctx)
    pattern = r'data-queue="(\w+)" data-count="(\d+)"'
    counts = {code: int(n) for code, n in re.findall(pattern, nav)}
    lamps = {lamp: int(n) for lamp, n in re.findall(r'data-lamp-count="(\w+)">.*? (\d+) 件', page)}
    assert (counts, lamps) in (before, after)


@pytest.mark.parametrize("persona", ["zuoxi"])
def test_each_surface_checked_only_for_leaks_shows_the_desk_some_row(persona, ctx):
    for surface in SURFACES:
        if not surface.exact:
            assert surface.show(ctx), surface.name


def _difference(shown: set, reach: set) -> str:
    extra, missing = sorted(shown - reach), sorted(reach - shown)
    return (
        f"shown beyond reach: {extra[:20]} ({len(extra)}); missing: {missing[:20]} ({len(missing)})"
    )


def test_every_scoped_model_and_action_has_a_surface_check():
    """A model given a `scope` (or a scope given an action) must get its surfaces here."""
    checked = {(s.model, s.action) for s in SURFACES} | set(UNLISTED)
    declared = {
        (label, action) for label, model in scoped_models().items() for action in model.scope.roles
    }
    assert declared - checked == set(), "add the surfaces that list these rows to SURFACES"


# --- a community handler never sees a row of another community -----------------------------


def _rows_outside(label: str, ids: set[int], community) -> list[int]:
    """The rows that belong to no unit inside `community`, by the model's declared scope:
    a case's lead and co-units, or the row's own unit."""
    model = scoped_models()[label]
    scope, inside = model.scope, community.path
    rows = model.objects.filter(pk__in=ids)
    if scope.case is None:
        units = rows.values_list("pk", f"{scope.unit}__path")
        return sorted(pk for pk, path in units if not path.startswith(inside))
    case = f"{scope.case}__" if scope.case else ""
    lead = rows.filter(**{f"{case}lead_unit__path__startswith": inside})
    co = rows.filter(**{f"{case}co_units__path__startswith": inside})
    return sorted(
        ids - set(lead.values_list("pk", flat=True)) - set(co.values_list("pk", flat=True))
    )


@pytest.mark.parametrize("persona", sorted(COMMUNITY_HANDLERS))
def test_a_community_handler_sees_no_row_of_another_community_anywhere(persona, ctx):
    community = ctx.office[COMMUNITY_HANDLERS[persona]]
    seen_any = False
    for surface in SURFACES:
        if surface.model not in scoped_models():
            continue
        shown = surface.show(ctx)
        seen_any |= bool(shown)
        outside = _rows_outside(surface.model, shown, community)
        assert outside == [], f"{surface.name} shows {persona} rows of another community: {outside}"
    assert seen_any, "the handler must see its own community's rows somewhere"


# --- the office is the one the matrix needs --------------------------------------------------


def test_the_office_has_the_boundaries_the_matrix_tests(demo_office, db):
    """Hand-stated reaches on the cases built for the edges: if these fail, the matrix
    compares surfaces with a wrong reach."""
    edges = {name: case.pk for name, case in demo_office["edges"].items()}
    users = demo_office["users"]

    def sees(persona):
        return set(Reach(users[persona]).cases().values_list("pk", flat=True))

    shequ, keshi, outsider = sees("shequ"), sees("keshi"), sees("outsider")
    assert edges["hly_as_co_unit"] in shequ
    assert edges["office_as_co_unit"] in shequ and edges["office_as_co_unit"] in keshi
    assert edges["located_in_hly_led_by_office"] not in shequ
    assert edges["located_in_hly_led_by_office"] in keshi
    assert edges["hly_not_dispatched"] not in shequ
    other = {
        edges[k] for k in ("other_received", "other_dispatched", "other_office", "other_replied")
    }
    assert outsider == other
    assert other <= sees("ducha")
    assert not other & sees("zuzhang")
    assert edges["hly_as_co_unit"] in sees("shequ2") and not sees("shequ") & sees("shequ2") - {
        edges["hly_as_co_unit"]
    }
    assert sees("expired") == sees("nobody") == set()
    street = set(Case.objects.filter(street=demo_office["street"]).values_list("pk", flat=True))
    assert sees("zuoxi") == sees("shuju") == sees("admin") == street
    assert len(street) == 164
    probes = set(demo_office["probes"])
    assert sees("ducha") >= probes
    for persona in set(PERSONAS) - {"ducha", "expired", "nobody"}:
        reached = sees(persona) & probes
        assert reached and probes - reached, f"probes both in and out of {persona}'s reach"


def test_dispatch_suggestions_name_only_units_of_the_cases_street(demo_office, db, client):
    from jiesu.knowledge.models import RoutingRule

    street, other = demo_office["street"], demo_office["other_street"]
    case = Case.objects.filter(street=street, state=State.ACCEPTED, category__isnull=False).first()
    theirs = Unit.objects.get(parent=other, kind=UnitKind.OFFICE)
    RoutingRule.objects.create(category=case.category, community=None, unit=theirs)
    client.force_login(demo_office["users"]["zuoxi"])
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    suggested = Unit.objects.filter(pk__in=_ids(r'data-suggest="(\d+)"', page))
    assert suggested.exists()
    assert [u.name for u in suggested if not u.path.startswith(street.path)] == []
