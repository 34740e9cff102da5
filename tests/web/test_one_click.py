"""One-step actions (签收, 催办 …) run from one button, on the case page and in queue rows;
actions that need input keep their panel."""

from jiesu.cases import workflow
from jiesu.cases.forms import ACTION_FORMS, ONE_STEP
from jiesu.cases.models import Case, State
from tests.conftest import at


def test_one_step_means_the_form_asks_for_nothing():
    assert {"sign", "urge", "approve_dispatch", "approve"} == ONE_STEP
    for action in set(ACTION_FORMS) - ONE_STEP:
        assert any(f.required for f in ACTION_FORMS[action].base_fields.values()), action


def test_sign_is_a_button_and_return_a_panel(client, people, make_case):
    case = make_case()
    client.force_login(people["zuoxi"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="sign"' in page and 'data-panel="sign"' not in page
    assert 'data-panel="return"' in page and 'data-panel="dispatch"' not in page
    response = client.post(f"/cases/{case.pk}/act/sign/", {"version": case.version})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_urge_button_takes_an_optional_note(client, people, dispatched):
    client.force_login(people["zuoxi"])
    page = client.get(f"/cases/{dispatched.pk}/").content.decode()
    assert 'data-panel="urge"' not in page and 'id="id_urge-note"' in page
    assert 'data-panel="redispatch"' in page
    client.post(f"/cases/{dispatched.pk}/act/urge/", {"version": dispatched.version})
    client.post(f"/cases/{dispatched.pk}/act/urge/", {"urge-note": "今天内回复"})
    assert [e.reason for e in dispatched.events.filter(action="urge")] == ["", "今天内回复"]


def test_sign_from_the_queue_row(client, people, make_case):
    case, other = make_case(), make_case()
    client.force_login(people["zuoxi"])
    page = client.get("/queues/received/").content.decode()
    row = page[page.index(f'data-case-row="{case.pk}"') :].split("</tr>")[0]
    assert f'action="/cases/{case.pk}/act/sign/"' in row and 'data-action="sign"' in row
    response = client.post(
        f"/cases/{case.pk}/act/sign/",
        {"version": case.version, "next": "/queues/received/"},
        follow=True,
    )
    assert response.redirect_chain == [("/queues/received/", 302)]
    page = response.content.decode()
    assert f"已签收:{case.platform_no}" in page
    assert f'data-case-row="{case.pk}"' not in page and f'data-case-row="{other.pk}"' in page


def test_a_refusal_in_a_row_returns_to_the_list(client, people, make_case):
    case = make_case()
    workflow.sign(case, by=people["zuzhang"])  # someone else was quicker
    client.force_login(people["zuoxi"])
    response = client.post(
        f"/cases/{case.pk}/act/sign/",
        {"version": case.version - 1, "next": "/queues/received/"},
        follow=True,
    )
    assert response.redirect_chain == [("/queues/received/", 302)]
    assert f"{case.platform_no} 未能签收" in response.content.decode()
    assert case.events.filter(action="sign").count() == 1


def test_next_elsewhere_is_ignored(client, people, make_case):
    case = make_case()
    client.force_login(people["zuoxi"])
    response = client.post(
        f"/cases/{case.pk}/act/sign/", {"next": "https://example.com/", "version": case.version}
    )
    assert response["Location"] == f"/cases/{case.pk}/"


def test_rows_offer_urge_to_the_desk_and_nothing_to_others(client, people, dispatched):
    client.force_login(people["zuoxi"])
    page = client.get("/cases/").content.decode()
    assert f'action="/cases/{dispatched.pk}/act/urge/"' in page
    client.force_login(people["shequ"])
    page = client.get("/queues/mine/").content.decode()
    assert f'data-case-row="{dispatched.pk}"' in page and "/act/" not in page


def test_approval_stays_on_the_case_page(client, people, dispatched):
    workflow.reply(
        dispatched,
        by=people["shequ"],
        contact_at=at("2026-03-02 10:00"),
        contact_way="电话",
        facts="属实",
        actions="已清理",
        result="已解决",
        citizen_response="满意",
    )
    client.force_login(people["zuzhang"])
    queue = client.get("/queues/review/").content.decode()
    assert f'data-case-row="{dispatched.pk}"' in queue and "/act/approve/" not in queue
    page = client.get(f"/cases/{dispatched.pk}/").content.decode()
    assert 'data-action="approve"' in page and 'data-panel="approve"' not in page
    assert 'data-panel="reject"' in page
