"""Approvals: an extension request and a special case wait in the 组长's 待审批 queue, the
组长 is told once, and an approval takes the case out of the queue."""

from jiesu.cases import workflow
from jiesu.supervision.models import Notification
from tests.conftest import at


def _queue(client, people) -> str:
    client.force_login(people["zuzhang"])
    response = client.get("/queues/approvals/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_extension_request_waits_for_the_leader(
    dispatched, people, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_extension(
            dispatched,
            by=people["shequ"],
            until=at("2026-03-16 18:00"),
            reason="需协调产权单位",
            at=at("2026-03-05 10:00"),
        )
    told = Notification.objects.get(kind="approval")
    assert told.user == people["zuzhang"]
    assert told.text == (
        f"【待审批】华龙苑南里社区申请工单{dispatched.platform_no}延期至03-16 18:00,请审批。"
    )
    assert dispatched.platform_no in _queue(client, people)
    dispatched.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve_extension(dispatched, by=people["zuzhang"], at=at("2026-03-05 11:00"))
    assert dispatched.platform_no not in _queue(client, people)
    assert Notification.objects.filter(kind="approval").count() == 1


def test_a_special_case_waits_for_approval_before_dispatch(
    make_case, people, org, client, django_capture_on_commit_callbacks
):
    case = make_case(received_at=at("2026-03-02 09:00"), special="群体性诉求")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:05"))
    told = Notification.objects.get(kind="approval", user=people["zuzhang"])
    assert (
        told.text
        == f"【待审批】特殊工单{case.platform_no}(群体性诉求)已签收,须经组长审批后方可派单。"
    )
    assert case.platform_no in _queue(client, people)
    case.refresh_from_db()
    workflow.approve_dispatch(case, by=people["zuzhang"], at=at("2026-03-02 09:20"))
    assert case.platform_no not in _queue(client, people)


def test_an_ordinary_case_is_no_approval(
    make_case, people, client, django_capture_on_commit_callbacks
):
    case = make_case(received_at=at("2026-03-02 09:00"))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:05"))
    assert not Notification.objects.filter(kind="approval").exists()
    assert case.platform_no not in _queue(client, people)


def test_only_the_leader_has_the_queue(people, client):
    client.force_login(people["zuoxi"])
    assert client.get("/queues/approvals/").status_code in (403, 404)
