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


def test_a_category_or_tag_the_leader_flags_makes_a_case_wait(
    make_case, people, categories, client, django_capture_on_commit_callbacks
):
    """The 组长 flags 市容环卫 (so its 占道经营 below it) and the tag 信访: cases of them are
    special from 签收 on, wait in 待审批, and the desk cannot dispatch them before."""
    import pytest

    from jiesu.cases.errors import NotAllowed
    from jiesu.cases.models import Tag

    categories["mid"].needs_approval = True
    categories["mid"].save()
    by_category = make_case(received_at=at("2026-03-02 09:00"), category=categories["stalls"])
    tag = Tag.objects.create(name="信访", needs_approval=True)
    by_tag = make_case(received_at=at("2026-03-02 09:10"))
    by_tag.tags.add(tag)
    plain = make_case(received_at=at("2026-03-02 09:20"), category=None)
    with django_capture_on_commit_callbacks(execute=True):
        for case in (by_category, by_tag, plain):
            workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:30"))
    for case in (by_category, by_tag, plain):
        case.refresh_from_db()
    assert by_category.special == "须审批分类:市容环卫"
    assert by_tag.special == "须审批标签:信访"
    assert plain.special == ""
    queue = _queue(client, people)
    assert by_category.platform_no in queue and by_tag.platform_no in queue
    assert plain.platform_no not in queue
    assert Notification.objects.filter(kind="approval").count() == 2
    with pytest.raises(NotAllowed, match="须经组长审批"):
        workflow.dispatch(
            by_tag, by=people["zuoxi"], lead_unit=by_tag.community, at=at("2026-03-02 09:40")
        )


def test_the_leader_flags_a_category_on_a_page_and_it_is_audited(people, categories, client):
    from jiesu.audit.models import AuditEvent

    client.force_login(people["zuoxi"])
    assert client.get("/rules/approval/").status_code == 403
    client.force_login(people["zuzhang"])
    page = client.get("/rules/approval/").content.decode()
    assert "市容环卫" in page  # offered (level 2)
    client.post("/rules/approval/", {"what": "category", "id": categories["mid"].pk, "on": "1"})
    categories["mid"].refresh_from_db()
    assert categories["mid"].needs_approval
    assert (
        f'data-flag="category-{categories["mid"].pk}"'
        in client.get("/rules/approval/").content.decode()
    )
    event = AuditEvent.objects.filter(kind="config_update").first()
    assert event.detail["field"] == "needs_approval" and event.detail["value"] is True
    client.post("/rules/approval/", {"what": "category", "id": categories["mid"].pk, "on": "0"})
    categories["mid"].refresh_from_db()
    assert not categories["mid"].needs_approval
    bad = client.post("/rules/approval/", {"what": "unit", "id": "1", "on": "1"}, follow=True)
    assert "请选择分类或标签" in bad.content.decode()
