"""`jiesu demo`: the real place, the people, and cases whose timelines the workflow allows."""

import csv
from collections import defaultdict

import pytest
from django.contrib.auth import authenticate
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from jiesu.cases import fastinsert as bulk
from jiesu.cases import workflow
from jiesu.cases.models import Case, CaseEvent, State
from jiesu.demo import office
from jiesu.demo.build import build_cases, render
from jiesu.demo.generate import Generator
from jiesu.org.models import Membership, Role, Unit, UnitKind
from tests.demo.conftest import NOW, PASSWORD


def test_builds_the_19_communities_of_huoying_with_their_real_codes(demo):
    street = Unit.objects.get(kind=UnitKind.STREET)
    assert (street.name, street.code, street.parent.name, street.parent.code) == (
        "霍营街道",
        "110114010",
        "昌平区",
        "110114",
    )
    communities = dict(
        Unit.objects.filter(kind=UnitKind.COMMUNITY, parent=street).values_list("name", "code")
    )
    with office.COMMUNITIES_CSV.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["town"] == "霍营街道"]
    assert len(rows) == len(communities) == 19
    assert communities == {r["village"].removesuffix("居委会"): r["village_code"] for r in rows}
    assert communities["华龙苑南里社区"] == "110114010001"
    assert communities["霍家营社区"] == "110114010019"


def _login_request():
    """The login backends (django-axes) look at the request a password comes with."""
    return RequestFactory().post("/login/", REMOTE_ADDR="127.0.0.1")


def test_every_demo_login_exists_and_signs_in_with_the_password(demo):
    for username, _, role, unit in office.LOGINS:
        user = authenticate(_login_request(), username=username, password=PASSWORD)
        assert user is not None, username
        assert user.first_name
        assert Membership.objects.filter(user=user, role=role, unit__name=unit).exists()
    admin = authenticate(_login_request(), username="admin", password=PASSWORD)
    assert admin.is_staff and admin.is_superuser
    assert {r for _, _, r, _ in office.LOGINS} == set(Role)
    assert f"密码(所有演示账号相同):{PASSWORD}" in demo


def test_a_small_demo_has_cases_in_every_state(demo):
    assert Case.objects.count() == 300
    assert set(Case.objects.values_list("state", flat=True)) == set(State)
    closed = Case.objects.filter(state=State.CLOSED).count()
    assert closed > 150, "most cases are finished"


def test_every_timeline_is_a_legal_walk_of_the_transition_table(demo):
    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("case_id", "at", "id"):
        events[event.case_id].append(event)
    cases = dict(Case.objects.values_list("pk", "state"))
    assert events.keys() == cases.keys()
    for case_id, timeline in events.items():
        first, *rest = timeline
        assert (first.action, first.from_state, first.to_state) == ("receive", "", "received")
        state = first.to_state
        for event in rest:
            t = workflow.TRANSITIONS[event.action]
            assert event.from_state == state, (case_id, event.action)
            assert event.from_state in t.sources, (case_id, event.action)
            assert event.to_state == (t.target or event.from_state), (case_id, event.action)
            state = event.to_state
        assert state == cases[case_id]


def test_case_texts_are_varied_and_about_this_place(demo):
    titles = list(Case.objects.values_list("title", flat=True))
    assert len(set(titles)) >= 0.6 * len(titles)
    contents = list(Case.objects.values_list("content", flat=True))
    assert len(set(contents)) >= 0.9 * len(contents)
    places = list(Case.objects.values_list("community__name", flat=True))
    assert len(set(places)) == 19
    assert any("霍营" in c or "龙锦苑" in c or "华龙苑" in c for c in contents)


def test_special_cases_are_dispatched_only_after_the_leader_approves(run_demo):
    run_demo("--cases", "600", "--seed", "3", "--password", PASSWORD)
    special = Case.objects.filter(special="群体性诉求").exclude(dispatched_at=None)
    assert special.exists()
    for case in special:
        actions = list(case.events.order_by("at", "id").values_list("action", "actor__username"))
        assert actions.index(("approve_dispatch", "zuzhang")) < actions.index(
            next(a for a in actions if a[0] == "dispatch")
        )


def test_if_empty_leaves_an_existing_office_alone(demo, run_demo):
    counts = (Unit.objects.count(), Case.objects.count(), CaseEvent.objects.count())
    out = run_demo("--if-empty", "--cases", "50", "--password", "another-one")
    assert "已存在" in out and "zuzhang" in out and "another-one" not in out
    assert (Unit.objects.count(), Case.objects.count(), CaseEvent.objects.count()) == counts
    assert authenticate(_login_request(), username="zuoxi", password=PASSWORD) is not None
    with pytest.raises(CommandError):
        run_demo("--cases", "50")


def _snapshot() -> list:
    """Everything about the cases except ids and write times, in platform number order."""
    skip = {"id", "created_at", "updated_at"}
    fields = [f.attname for f in Case._meta.concrete_fields if f.attname not in skip]
    out = []
    for case in Case.objects.order_by("platform", "platform_no"):
        events = case.events.order_by("at", "id").values_list(
            "at", "actor_id", "action", "from_state", "to_state", "reason", "payload"
        )
        out.append(
            (
                [getattr(case, f) for f in fields],
                sorted(case.co_units.values_list("pk", flat=True)),
                sorted(case.tags.values_list("pk", flat=True)),
                list(events),
            )
        )
    return out


@pytest.fixture
def bare_office(db):
    return office.build(PASSWORD)


def _build(demo_office, **options):
    Case.objects.all().delete()
    build_cases(demo_office, count=200, months=6, seed=11, now=NOW, chunk_size=80, **options)
    return _snapshot()


def test_the_bulk_path_gives_the_same_cases_as_the_workflow_path(bare_office):
    per_step = _build(bare_office, bulk=False)
    assert len(per_step) == 200 and sum(len(c[3]) for c in per_step) > 1000
    actions = {event[2] for case in per_step for event in case[3]}
    assert actions >= {
        "sign",
        "return",
        "dispatch",
        "redispatch",
        "contact",
        "urge",
        "extend",
        "approve_extension",
        "reply",
        "reject",
        "approve",
        "close",
        "callback",
        "reopen",
        "shelve",
        "note",
    }
    assert _build(bare_office, bulk=True, workers=1) == per_step


@pytest.mark.skipif(connection.vendor != "sqlite", reason="worker processes are for SQLite")
def test_worker_processes_give_the_same_cases_as_one_process(bare_office):
    assert _build(bare_office, workers=2) == _build(bare_office, workers=1)


def test_rendering_in_bulk_never_touches_the_database(bare_office):
    generator = Generator(bare_office, count=200, months=6, seed=5, now=NOW)
    render(generator, 1, 0)  # warm the policy cache
    with CaptureQueriesContext(connection) as queries:
        batch = render(generator, 1000, 0)
    assert queries.captured_queries == []
    assert len(batch.cases) == 200 and len(batch.events) > 1000
    bulk.write(batch)
    assert Case.objects.filter(pk__gte=1000).count() == 200


def test_cases_received_after_a_bulk_load_get_fresh_ids(demo):
    last = Case.objects.order_by("-pk").first()
    fields = {
        f: getattr(last, f)
        for f in ("platform", "request_type", "title", "content", "district", "street")
    }
    case = workflow.receive(platform_no="after-the-demo", received_at=NOW, **fields)
    assert case.pk > last.pk


def test_demo_applications_at_every_step_and_decided_in_past_periods(demo):
    from jiesu.assessment import rules
    from jiesu.assessment.models import Application, ApplicationState

    current = rules.period_of(NOW)
    apps = list(Application.objects.select_related("case"))
    assert "剔除/申诉申请" in demo
    states = {a.state for a in apps}
    assert states == set(ApplicationState), states - set(ApplicationState)
    for app in apps:
        assert app.period == rules.period_of(app.case.received_at)
        if app.period != current:
            assert app.state in (ApplicationState.PASSED, ApplicationState.REFUSED)
        assert app.history[0]["action"] == "create"
        assert app.case.callback_valid is True or app.case.awaiting_callback_at is not None


def test_the_demo_has_a_roster_for_this_month_and_next(run_demo):
    import datetime as dt

    from django.utils import timezone

    from jiesu.org import roster
    from jiesu.org.models import DutyAssignment
    from tests.demo.conftest import NOW

    run_demo("--cases", "0")
    days = {d for d in DutyAssignment.objects.values_list("day", flat=True)}
    first = timezone.localtime(NOW).date().replace(day=1)
    assert min(days) == first and max(days) == dt.date(2026, 4, 30)
    on = roster.on_duty(DutyAssignment.objects.values("unit").distinct(), NOW)
    assert {d.shift.name for d in on} == {"白班"}  # 12:00 on a Monday: the day shift
    assert {d.user.username for d in on} >= {"zuzhang"}
