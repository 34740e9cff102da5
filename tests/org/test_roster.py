"""The duty roster: a person on a shift holds its grant for the shift's hours only; the
overlap shows both shifts; who is on duty now on the API and every page; the 组长 edits."""

import datetime as dt

import pytest

from jiesu.core.models import ApiToken
from jiesu.org import roster
from jiesu.org.access import Reach
from jiesu.org.models import DutyAssignment, Membership, Role
from tests.conftest import at


@pytest.fixture
def night_operator(org):
    """Somebody with no standing grant: only the roster gives them the desk."""
    from django.contrib.auth.models import User

    return User.objects.create_user(username="yeban", first_name="夜班坐席", password="pw-yeban")


@pytest.fixture
def shifts(db):
    day, night = roster.shifts()
    # the contracts' shifts, made the first time they are asked for
    assert (day.name, day.starts, day.ends) == ("白班", dt.time(8, 30), dt.time(18, 0))
    assert (night.name, night.starts, night.ends, night.overnight) == (
        "夜班",
        dt.time(17, 30),
        dt.time(9, 0),
        True,
    )
    return {"day": day, "night": night}


def test_a_night_shift_holds_the_desk_from_1730_to_0900_next_morning(
    org, shifts, night_operator, make_case
):
    make_case(received_at=at("2026-03-02 20:00"))
    duty = roster.assign(
        unit=org["street"],
        day=dt.date(2026, 3, 2),
        shift=shifts["night"],
        user=night_operator,
        role=Role.OPERATOR,
    )
    assert (duty.starts_at, duty.ends_at) == (at("2026-03-02 17:30"), at("2026-03-03 09:00"))
    for when, sees in [
        ("2026-03-02 17:29", 0),
        ("2026-03-02 17:30", 1),
        ("2026-03-03 08:59", 1),
        ("2026-03-03 09:00", 0),
    ]:
        reach = Reach(night_operator, at=at(when))
        assert reach.cases().count() == sees, when


def test_the_overlap_shows_both_shifts(org, shifts, people):
    day = dt.date(2026, 3, 2)
    roster.assign(
        unit=org["street"], day=day, shift=shifts["day"], user=people["zuoxi"], role=Role.OPERATOR
    )
    roster.assign(
        unit=org["street"], day=day, shift=shifts["night"], user=people["zuzhang"], role=Role.LEADER
    )
    names = lambda when: [  # noqa: E731
        (d.user.username, d.shift.name) for d in roster.on_duty([org["street"]], at(when))
    ]
    assert names("2026-03-02 12:00") == [("zuoxi", "白班")]
    assert names("2026-03-02 17:45") == [("zuoxi", "白班"), ("zuzhang", "夜班")]
    assert names("2026-03-02 18:00") == [("zuzhang", "夜班")]
    assert names("2026-03-03 08:45") == [("zuzhang", "夜班")]  # the 3rd's day shift is empty
    assert names("2026-03-03 09:00") == []
    # another street's roster is not this one's
    assert list(roster.on_duty([org["other_street"]], at("2026-03-02 12:00"))) == []


def test_removing_a_shift_begun_ends_its_grant_now_and_a_future_one_entirely(
    org, shifts, night_operator
):
    begun = roster.assign(
        unit=org["street"],
        day=dt.date(2026, 3, 2),
        shift=shifts["night"],
        user=night_operator,
        role=Role.OPERATOR,
    )
    later = roster.assign(
        unit=org["street"],
        day=dt.date(2026, 3, 5),
        shift=shifts["night"],
        user=night_operator,
        role=Role.OPERATOR,
    )
    roster.unassign(begun, now=at("2026-03-02 20:00"))
    roster.unassign(later, now=at("2026-03-02 20:00"))
    grant = Membership.objects.get(user=night_operator)
    assert grant.valid_to == at("2026-03-02 20:00")
    assert DutyAssignment.objects.get().ends_at == at("2026-03-02 20:00")  # kept, as worked
    assert not Reach(night_operator, at=at("2026-03-02 20:01")).grants


def test_the_api_says_who_is_on_duty_now(org, shifts, people, client):
    from django.utils import timezone

    today = timezone.localdate()
    for shift in (shifts["day"], shifts["night"]):
        for day in (today - dt.timedelta(days=1), today):
            roster.assign(
                unit=org["street"], day=day, shift=shift, user=people["zuoxi"], role=Role.OPERATOR
            )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(people['zuzhang'])}"}
    body = client.get("/api/v1/duty/now", **auth).json()
    expected = {
        d.pk
        for d in DutyAssignment.objects.filter(
            starts_at__lte=timezone.now(), ends_at__gt=timezone.now()
        )
    }
    assert len(body) == len(expected) >= 1
    assert set(body[0]) == {"user", "name", "role", "unit", "shift", "until"}
    assert (
        body[0]["user"] == "zuoxi"
        and body[0]["role"] == "operator"
        and body[0]["unit"] == "霍营街道"
    )
    # the other street's people see none of it
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(people['outsider'])}"}
    assert client.get("/api/v1/duty/now", **auth).json() == []


def test_the_leader_edits_the_roster_and_every_page_says_who_is_on(org, shifts, people, client):
    from django.utils import timezone

    today = timezone.localdate()
    client.force_login(people["zuoxi"])
    refused = client.post(
        f"/duty/units/{org['street'].pk}/add",
        {
            "day": str(today),
            "shift": shifts["day"].pk,
            "user": people["zuoxi"].pk,
            "role": "operator",
        },
    )
    assert refused.status_code == 403
    client.force_login(people["zuzhang"])
    for shift in ("day", "night"):
        client.post(
            f"/duty/units/{org['street'].pk}/add",
            {
                "day": str(today - dt.timedelta(days=1)),
                "shift": shifts[shift].pk,
                "user": people["zuoxi"].pk,
                "role": "operator",
            },
        )
        client.post(
            f"/duty/units/{org['street'].pk}/add",
            {
                "day": str(today),
                "shift": shifts[shift].pk,
                "user": people["zuoxi"].pk,
                "role": "operator",
            },
        )
    assert DutyAssignment.objects.count() == 4
    page = client.get("/duty/").content.decode()  # this month (yesterday may be last month's)
    assert (
        page.count("data-duty=")
        == DutyAssignment.objects.filter(day__year=today.year, day__month=today.month).count()
        >= 2
    )
    assert 'data-form="duty"' in page
    listing = client.get("/cases/").content.decode()
    assert "data-on-duty" in listing and "zuoxi" in listing.split("data-on-duty")[1][:300]
    # a second time on the same shift is refused in Chinese
    again = client.post(
        f"/duty/units/{org['street'].pk}/add",
        {
            "day": str(today),
            "shift": shifts["day"].pk,
            "user": people["zuoxi"].pk,
            "role": "operator",
        },
        follow=True,
    )
    assert "该人员当天已排此班次" in again.content.decode()
    duty = DutyAssignment.objects.filter(day=today + dt.timedelta(days=0)).first()
    client.post(f"/duty/{duty.pk}/remove")
    assert DutyAssignment.objects.count() in (3, 4)  # begun shifts stay, ended now


def test_a_swap_waits_for_the_leader_then_moves_the_shift_and_its_grant(
    org, shifts, people, night_operator, client
):
    from django.utils import timezone

    from jiesu.org.models import DutySwap

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    duty = roster.assign(
        unit=org["street"],
        day=tomorrow,
        shift=shifts["night"],
        user=night_operator,
        role=Role.OPERATOR,
    )
    colleague = people["zuoxi"]
    client.force_login(night_operator)
    # not one's own shift, no reason: refused in Chinese, nothing made
    other = roster.assign(
        unit=org["street"], day=tomorrow, shift=shifts["day"], user=colleague, role=Role.OPERATOR
    )
    assert client.get(f"/duty/{other.pk}/swap").status_code == 404
    refused = client.post(f"/duty/{duty.pk}/swap", {"to_user": colleague.pk, "reason": " "})
    assert refused.status_code == 400 and not DutySwap.objects.exists()
    client.post(f"/duty/{duty.pk}/swap", {"to_user": colleague.pk, "reason": "家中有事"})
    swap = DutySwap.objects.get()
    assert swap.status == "pending"
    duty.refresh_from_db()
    assert duty.user == night_operator  # nothing moves before the 组长 decides
    # a second request on the same shift waits for the first
    with pytest.raises(roster.SwapRefused, match="已有待审批"):
        roster.ask_swap(duty, to_user=people["zuzhang"], reason="x", by=night_operator)
    client.force_login(people["zuoxi"])  # not the 组长
    assert client.post(f"/duty/swaps/{swap.pk}/decide", {"approved": "1"}).status_code == 403
    client.force_login(people["zuzhang"])
    page = client.get("/duty/").content.decode()
    assert f'data-swap="{swap.pk}"' in page
    client.post(f"/duty/swaps/{swap.pk}/decide", {"approved": "1"})
    duty.refresh_from_db()
    swap.refresh_from_db()
    assert (swap.status, swap.decided_by) == ("approved", people["zuzhang"])
    assert duty.user == colleague and duty.note.startswith("换班:原夜班坐席")
    # the grant moved with it: the colleague reaches the street on that night, the asker not
    from django.contrib.auth.models import User

    night_start = duty.starts_at + dt.timedelta(minutes=1)
    asker, taker = (User.objects.get(pk=u.pk) for u in (night_operator, colleague))
    assert not Reach(asker, at=night_start).grants
    assert any(g.valid_from == duty.starts_at for g in Reach(taker, at=night_start).grants)
    with pytest.raises(roster.SwapRefused, match="已处理"):
        roster.decide_swap(swap, approved=False, by=people["zuzhang"])


def test_a_rota_template_fills_the_days_and_a_key_period_is_marked(org, shifts, people, client):
    from django.utils import timezone

    from jiesu.org.models import DutyPeriod, RotaTemplate

    client.force_login(people["zuzhang"])
    unit = org["street"]
    # an unknown name is refused and nothing is kept
    client.post(
        f"/duty/units/{unit.pk}/rota",
        {"name": "两班倒", "role": "operator", f"shift_{shifts['day'].pk}": "zuoxi nobody"},
    )
    assert not RotaTemplate.objects.exists()
    client.post(
        f"/duty/units/{unit.pk}/rota",
        {
            "name": "两班倒",
            "role": "operator",
            f"shift_{shifts['day'].pk}": "zuoxi zuzhang",
            f"shift_{shifts['night'].pk}": "zuzhang,zuoxi",
        },
    )
    template = RotaTemplate.objects.get()
    first = timezone.localdate() + dt.timedelta(days=1)
    client.post(
        f"/duty/rota/{template.pk}/apply",
        {"first": str(first), "last": str(first + dt.timedelta(days=2))},
    )
    made = list(
        DutyAssignment.objects.order_by("day", "shift__order").values_list(
            "day", "shift__name", "user__username"
        )
    )
    # by hand: the day shift zuoxi, zuzhang, zuoxi; the night shift zuzhang, zuoxi, zuzhang
    assert made == [
        (first, "白班", "zuoxi"),
        (first, "夜班", "zuzhang"),
        (first + dt.timedelta(days=1), "白班", "zuzhang"),
        (first + dt.timedelta(days=1), "夜班", "zuoxi"),
        (first + dt.timedelta(days=2), "白班", "zuoxi"),
        (first + dt.timedelta(days=2), "夜班", "zuzhang"),
    ]
    today = timezone.localdate()
    client.post(
        f"/duty/units/{unit.pk}/periods",
        {
            "name": "全国两会",
            "first": str(today),
            "last": str(today + dt.timedelta(days=3)),
            "note": "双人值守",
        },
    )
    assert DutyPeriod.objects.get().note == "双人值守"
    page = client.get("/duty/").content.decode()
    assert page.count("data-period>全国两会") >= 1
    assert "全国两会值守期间" in client.get("/cases/").content.decode()
    # a span the wrong way round is refused
    bad = client.post(
        f"/duty/units/{unit.pk}/periods",
        {"name": "x", "first": str(today), "last": str(today - dt.timedelta(days=1))},
        follow=True,
    )
    assert "结束日期不能早于开始日期" in bad.content.decode()
    assert DutyPeriod.objects.count() == 1
