import pytest

from jiesu.cases.errors import InvalidInput
from jiesu.cases.models import Case, Category
from jiesu.cases.services import merge_unconfirmed as merge
from jiesu.intake.importer import import_file
from jiesu.org.models import Unit
from tests.intake.conftest import export_row


def test_merge_an_imported_community_into_the_real_one(org, people, categories, write_xlsx):
    import_file(
        write_xlsx([export_row(1, **{"村/社区": "华龙苑南里小区"})]),
        platform="city",
        street=org["street"],
        user=people["zuoxi"],
    )
    unconfirmed = Unit.objects.get(unconfirmed=True)
    assert unconfirmed.name == "华龙苑南里小区"
    assert merge([unconfirmed], org["hly"], field="community") == 1
    case = Case.objects.get()
    assert case.community == org["hly"]
    assert case.events.last().payload["changes"]["community"] == {
        "from": "华龙苑南里小区",
        "to": "华龙苑南里社区",
    }
    assert not Unit.objects.filter(unconfirmed=True).exists()


def test_merge_refuses_a_parent_with_children(categories):
    top = Category.objects.create(name="新分类", unconfirmed=True)
    Category.objects.create(name="下级", parent=top, unconfirmed=True)
    with pytest.raises(InvalidInput):
        merge([top], categories["stalls"], field="category")


def test_admin_action_merges_categories(client, people, categories, org, write_xlsx):
    people["admin"].is_staff = people["admin"].is_superuser = True
    people["admin"].save()
    import_file(
        write_xlsx([export_row(1, 问题分类="城乡建设->市容环卫->占道")]),
        platform="city",
        street=org["street"],
        user=people["zuoxi"],
    )
    wrong = Category.objects.get(name="占道")
    client.force_login(people["admin"])
    client.post(
        "/admin/cases/category/",
        {
            "action": "merge_categories",
            "_selected_action": [wrong.pk, categories["stalls"].pk],
        },
    )
    assert Case.objects.get().category == categories["stalls"]
    assert not Category.objects.filter(pk=wrong.pk).exists()
