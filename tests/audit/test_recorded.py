"""Reveals, exports and writes to settings and rights each leave one audit row, with the actor."""

from django.contrib.auth.models import Group, User

from jiesu.assessment.models import ScoringRule
from jiesu.cases.models import DeadlinePolicy
from jiesu.core.models import ApiToken, CalendarDay
from jiesu.intake.models import ColumnMapping
from jiesu.org.models import Membership, Role

DESK = {"REMOTE_ADDR": "10.3.0.7", "HTTP_USER_AGENT": "Chromium 测试"}


def test_a_reveal_through_the_page_writes_one_audit_row(client, people, dispatched, events):
    client.force_login(people["zuoxi"])
    events.mark()
    response = client.post(f"/cases/{dispatched.pk}/reveal/caller_phone/", **DESK)
    assert response.status_code == 200
    (row,) = events()
    assert row.kind == "reveal"
    assert row.actor_id == people["zuoxi"].pk
    assert (row.target_type, row.target_id) == ("cases.case", str(dispatched.pk))
    assert row.detail == {"field": "caller_phone", "channel": "web"}
    assert (row.ip, row.user_agent) == ("10.3.0.7", "Chromium 测试")
    # the value itself stays out of the log
    assert "13812341234" not in str(row.detail) + row.target_repr


def test_a_refused_reveal_writes_nothing(client, people, dispatched, events):
    client.force_login(people["shuju"])
    events.mark()
    assert client.post(f"/cases/{dispatched.pk}/reveal/caller_phone/").status_code == 403
    assert events() == []


def test_the_case_list_export_writes_one_audit_row(client, people, dispatched, events):
    client.force_login(people["zuoxi"])
    events.mark()
    response = client.post(
        "/cases/bulk/", {"bulk_action": "export", "ids": [dispatched.pk]}, **DESK
    )
    assert response.status_code == 200
    (row,) = events()
    assert (row.kind, row.actor_id, row.ip) == ("export", people["zuoxi"].pk, "10.3.0.7")
    assert row.detail == {
        "what": "工单台账(勾选)",
        "count": 1,
        "filters": {"cases": [dispatched.platform_no]},
    }


def test_the_assessment_export_writes_one_audit_row(client, people, org, events):
    client.force_login(people["zuzhang"])
    events.mark()
    response = client.get(
        "/assessment/export.xlsx", {"period": "2026-10", "unit": org["street"].pk}
    )
    assert response.status_code == 200
    (row,) = events()
    assert row.kind == "export"
    assert row.detail["what"] == "考核成绩"
    assert row.detail["filters"] == {"unit": "霍营街道", "period": "2026-10"}


def test_a_grant_made_in_the_admin_is_recorded_with_the_actor(client, people, org, events):
    admin = people["admin"]
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    newcomer = User.objects.create_user("xinren", password="pw-xinren")
    client.force_login(admin)
    events.mark()
    response = client.post(
        "/admin/org/membership/add/",
        {"user": newcomer.pk, "unit": org["hly"].pk, "role": Role.COMMUNITY_HANDLER},
        **DESK,
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer)
    (row,) = events()
    assert row.kind == "config_create"
    assert (row.actor_id, row.actor_username, row.ip) == (admin.pk, "admin", "10.3.0.7")
    assert (row.target_type, row.target_id) == ("org.membership", str(membership.pk))
    assert row.detail["fields"]["role"] == "community_handler"
    assert row.detail["fields"]["unit_id"] == org["hly"].pk


def test_a_column_mapping_made_and_removed_on_its_page(client, people, events):
    client.force_login(people["zuoxi"])
    events.mark()
    response = client.post(
        "/intake/import/mappings/",
        {"platform": "city", "header": "诉求人手机", "field": "caller_phone"},
        **DESK,
    )
    assert response.status_code == 302
    mapping = ColumnMapping.objects.get(header="诉求人手机")
    client.post(f"/intake/import/mappings/{mapping.pk}/delete/", **DESK)
    created, deleted = events()
    assert (created.kind, created.actor_username) == ("config_create", "zuoxi")
    assert created.detail["fields"]["field"] == "caller_phone"
    assert (deleted.kind, deleted.actor_username) == ("config_delete", "zuoxi")
    assert deleted.target_repr == created.target_repr


def test_a_change_names_the_fields_before_and_after(people, events):
    membership = Membership.objects.get(user=people["zuoxi"])
    membership.role = Role.LEADER
    membership.save()
    (row,) = events()
    assert row.kind == "config_update"
    assert row.detail == {"changes": {"role": ["operator", "leader"]}}
    # from outside a request, the actor is the command line
    assert row.actor_id is None and row.actor_username.startswith("命令行")


def test_passwords_and_token_hashes_never_enter_the_log(people, events):
    user = people["zuoxi"]
    user.set_password("Xin-mima-2026")
    user.save()
    raw = ApiToken.issue(user)
    rows = events()
    assert [r.kind for r in rows] == ["password_change", "token_create"]
    text = " ".join(str(r.detail) for r in rows)
    assert "pbkdf2" not in text and "md5$" not in text and "password" not in text
    assert "key_hash" not in text and raw not in text
    assert ApiToken.objects.get().key_hash not in text


def test_a_login_alone_changes_no_setting(client, people, events):
    client.post("/login/", {"username": "zuoxi", "password": "pw-zuoxi"})
    assert [r.kind for r in events()] == ["login"]


def test_group_and_permission_changes_are_recorded(people, events):
    group = Group.objects.create(name="值班组")
    people["zuoxi"].groups.add(group)
    people["zuoxi"].groups.remove(group)
    rows = events()
    assert [r.kind for r in rows] == ["config_create", "config_update", "config_update"]
    assert rows[1].detail == {"relation": "groups", "action": "添加", "objects": ["值班组"]}
    assert rows[2].detail["action"] == "移除"
    assert rows[2].target_repr == "zuoxi"


def test_holidays_deadline_policies_and_scoring_rules_are_settings_too(db, events):
    CalendarDay.objects.create(date="2027-01-01", kind="holiday", name="元旦")
    DeadlinePolicy.objects.create(effective_from="2027-01-01")
    rule = ScoringRule.objects.create(effective_from="2027-01-01")
    rule.delete()
    assert [(r.kind, r.target_type) for r in events()] == [
        ("config_create", "core.calendarday"),
        ("config_create", "cases.deadlinepolicy"),
        ("config_create", "assessment.scoringrule"),
        ("config_delete", "assessment.scoringrule"),
    ]


def test_a_reveal_over_the_api_names_the_token_holder(client, people, dispatched, events):
    token = ApiToken.issue(people["zuoxi"])
    events.mark()
    response = client.post(
        f"/api/v1/cases/{dispatched.pk}/reveal",
        {"field": "address"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        REMOTE_ADDR="10.4.0.2",
    )
    assert response.status_code == 200
    (row,) = events()
    assert (row.kind, row.actor_username, row.ip) == ("reveal", "zuoxi", "10.4.0.2")
    assert row.detail == {"field": "address", "channel": "api"}
