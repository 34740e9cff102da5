from jiesu.knowledge.models import RoutingRule


def test_the_leader_keeps_the_rules(client, people, org, categories):
    client.force_login(people["zuzhang"])
    assert "还没有派单规则" in client.get("/rules/").content.decode()
    data = {
        "category": categories["stalls"].pk,
        "community": org["hly"].pk,
        "unit": org["office"].pk,
    }
    response = client.post("/rules/", data)
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.unit, rule.updated_by) == (org["office"], people["zuzhang"])
    again = client.post("/rules/", data)
    assert again.status_code == 422
    assert "已有一条派单规则" in again.content.decode()
    client.post(f"/rules/{rule.pk}/delete/")
    assert not RoutingRule.objects.exists()


def test_units_outside_the_street_cannot_be_chosen(client, people, org, categories):
    client.force_login(people["zuzhang"])
    response = client.post(
        "/rules/", {"category": categories["stalls"].pk, "unit": org["elsewhere"].pk}
    )
    assert response.status_code == 422
    assert not RoutingRule.objects.exists()


def test_operators_may_not_edit_rules(client, people):
    client.force_login(people["zuoxi"])
    assert client.get("/rules/").status_code == 403
    assert 'data-nav="rules"' not in client.get("/cases/").content.decode()


def test_one_rule_per_category_for_all_communities(client, people, org, categories):
    client.force_login(people["zuzhang"])
    data = {"category": categories["mid"].pk, "unit": org["office"].pk}
    assert client.post("/rules/", data).status_code == 302
    assert client.post("/rules/", dict(data, unit=org["hly"].pk)).status_code == 422
    assert RoutingRule.objects.count() == 1


def test_a_leader_keeps_the_rules_of_their_own_street_only(client, people, org, categories):
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.utils import timezone

    from jiesu.org.access import Reach
    from jiesu.org.models import Membership, Role, Unit, UnitKind

    other_office = Unit.objects.create(
        name="综合执法队", kind=UnitKind.OFFICE, parent=org["other_street"]
    )
    ours = RoutingRule.objects.create(category=categories["stalls"], unit=org["office"])
    theirs = RoutingRule.objects.create(category=categories["garbage"], unit=other_office)
    neighbour = User.objects.create_user(username="linjie")
    Membership.objects.create(user=neighbour, unit=org["other_street"], role=Role.LEADER)

    def seen(user, action="view"):
        return set(RoutingRule.objects.visible_to(Reach(user), action))

    assert seen(people["zuzhang"], "edit") == {ours}
    assert seen(neighbour, "edit") == {theirs}
    assert seen(people["zuoxi"]) == {ours}
    assert seen(people["zuoxi"], "edit") == set()
    assert seen(people["ducha"]) == {ours, theirs}
    client.force_login(neighbour)
    page = client.get("/rules/").content.decode()
    assert f'data-rule="{theirs.pk}"' in page
    assert f'data-rule="{ours.pk}"' not in page
    assert client.post(f"/rules/{ours.pk}/delete/").status_code == 404
    assert RoutingRule.objects.filter(pk=ours.pk).exists()
    # a cover that has ended keeps nothing
    Membership.objects.filter(user=neighbour).update(valid_to=timezone.now() - timedelta(minutes=1))
    client.force_login(neighbour)
    assert client.get("/rules/").status_code == 403
