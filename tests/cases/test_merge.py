"""Merging a 待确认 community into a confirmed one from the Unit admin: the action cases
registers there (org's admin knows nothing of cases)."""

from jiesu.cases.models import Case
from jiesu.org.models import Unit, UnitKind


def test_the_unit_admin_merges_an_unconfirmed_community(client, org, people, make_case):
    admin = people["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    stray = Unit.objects.create(
        name="华龙苑南里小区", kind=UnitKind.COMMUNITY, parent=org["street"], unconfirmed=True
    )
    case = make_case(community=stray)
    client.force_login(admin)
    client.post(
        "/admin/org/unit/",
        {"action": "merge_communities", "_selected_action": [stray.pk, org["hly"].pk]},
    )
    case = Case.objects.get(pk=case.pk)
    assert case.community == org["hly"]
    assert case.events.last().payload == {
        "changes": {"community": {"from": "华龙苑南里小区", "to": "华龙苑南里社区"}}
    }
    assert not Unit.objects.filter(pk=stray.pk).exists()


def test_a_confirmed_target_only(client, org, people, make_case):
    admin = people["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    stray = Unit.objects.create(
        name="华龙苑南里小区", kind=UnitKind.COMMUNITY, parent=org["street"], unconfirmed=True
    )
    make_case(community=stray)
    client.force_login(admin)
    client.post("/admin/org/unit/", {"action": "merge_communities", "_selected_action": [stray.pk]})
    assert Case.objects.get().community == stray
