"""The first pages: Chinese login, the filtered case list, the case page and its actions."""

import hashlib

import pytest

from jiesu.cases.models import Case, State
from jiesu.core.models import PiiAccess


def test_login_page_is_chinese_and_refuses_bad_passwords(client, people):
    page = client.get("/login/").content.decode()
    assert "接诉即办工作平台" in page and "登录" in page
    response = client.post("/login/", {"username": "zuoxi", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()
    response = client.post("/login/", {"username": "zuoxi", "password": "pw-zuoxi"})
    assert response.status_code == 302 and response.url == "/"


def test_pages_need_login(client, db):
    response = client.get("/cases/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_list_filters_and_never_shows_personal_data(client, people, make_case, dispatched):
    make_case(title="夜间施工噪音扰民")
    client.force_login(people["zuoxi"])
    page = client.get("/cases/").content.decode()
    assert "小区门口占道经营" in page and "夜间施工噪音扰民" in page
    assert "张*" in page and "张三" not in page and "13812341234" not in page
    page = client.get("/cases/", {"state": "dispatched"}).content.decode()
    assert "夜间施工噪音扰民" not in page
    assert f'data-case="{dispatched.pk}"' in page
    page = client.get("/cases/", {"q": "施工"}).content.decode()
    assert "小区门口占道经营" not in page and "共 1 件" in page


def test_bad_filter_input_is_explained(client, people, dispatched):
    client.force_login(people["zuoxi"])
    page = client.get("/cases/", {"received_from": "昨天"}).content.decode()
    assert "查询条件有误" in page


def test_detail_shows_masked_fields_timeline_and_only_allowed_actions(client, people, dispatched):
    client.force_login(people["shequ"])
    page = client.get(f"/cases/{dispatched.pk}/").content.decode()
    assert "138****1234" in page and "13812341234" not in page
    assert "华龙苑南里****" in page
    assert 'data-action="reply"' in page and 'data-action="extend"' in page
    assert 'data-action="sign"' not in page and 'data-action="approve"' not in page
    assert 'data-event="dispatch"' in page


def test_reveal_shows_one_field_and_logs_it(client, people, dispatched):
    client.force_login(people["zuoxi"])
    response = client.post(f"/cases/{dispatched.pk}/reveal/caller_phone/")
    assert response.content.decode() == "13812341234"
    assert PiiAccess.objects.filter(user=people["zuoxi"], field="caller_phone").count() == 1


def test_action_form_runs_the_workflow(client, people, dispatched):
    client.force_login(people["zuoxi"])
    response = client.post(
        f"/cases/{dispatched.pk}/act/urge/",
        {"urge-note": "请今天内联系诉求人", "version": dispatched.version},
    )
    assert response.status_code == 302
    assert dispatched.events.last().reason == "请今天内联系诉求人"


def test_missing_reason_is_shown_next_to_the_field_and_nothing_changes(client, people, dispatched):
    client.force_login(people["zuzhang"])
    response = client.post(f"/cases/{dispatched.pk}/act/shelve/", {"shelve-reason": ""})
    assert response.status_code == 422
    assert "原因" in response.content.decode()
    assert Case.objects.get(pk=dispatched.pk).state == State.DISPATCHED


def test_upload_checks_type_and_keeps_the_hash(client, people, dispatched, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people["shequ"])
    client.post(
        f"/cases/{dispatched.pk}/attachments/",
        {"file": SimpleUploadedFile("现场.png", b"\x89PNG fake image bytes")},
    )
    attachment = dispatched.attachments.get()
    assert attachment.sha256 == hashlib.sha256(b"\x89PNG fake image bytes").hexdigest()
    assert dispatched.events.last().action == "attach"
    response = client.post(
        f"/cases/{dispatched.pk}/attachments/",
        {"file": SimpleUploadedFile("病毒.exe", b"MZ")},
        follow=True,
    )
    assert "不支持的文件类型" in response.content.decode()
    assert dispatched.attachments.count() == 1


@pytest.mark.parametrize("size_mb", [2])
def test_oversized_upload_is_refused(client, people, dispatched, settings, size_mb):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.JIESU_ATTACHMENT_MAX_BYTES = 1024 * 1024
    client.force_login(people["shequ"])
    response = client.post(
        f"/cases/{dispatched.pk}/attachments/",
        {"file": SimpleUploadedFile("大.pdf", b"x" * size_mb * 1024 * 1024)},
        follow=True,
    )
    assert "大小限制" in response.content.decode()
    assert dispatched.attachments.count() == 0


def test_queue_pages_and_live_counts(client, people, make_case, dispatched):
    make_case(title="楼道堆物")
    client.force_login(people["zuoxi"])
    page = client.get("/cases/").content.decode()
    for code in ["received", "accepted", "due_soon", "overdue", "callback", "shelved"]:
        assert f'data-queue="{code}"' in page
    assert 'data-queue="review"' not in page
    counts = client.get("/queues/counts/").content.decode()
    assert 'data-queue="received" data-count="1"' in counts
    page = client.get("/queues/received/").content.decode()
    assert "楼道堆物" in page and "小区门口占道经营" not in page
    assert "data-countdown" in page
    assert client.get("/queues/review/").status_code == 404  # not an operator's queue
    assert client.get("/queues/nonsense/").status_code == 404


REPLY = {
    "reply-contact_at": "2026-03-02 10:00",
    "reply-contact_way": "电话",
    "reply-facts": "经现场核实,东门外确有流动摊位",
    "reply-actions": "联合城管清理并设置提示牌",
    "reply-result": "已解决",
    "reply-citizen_response": "诉求人表示满意",
}


def test_reply_with_evidence_in_one_step(client, people, dispatched):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people["shequ"])
    photo = SimpleUploadedFile("清理后.jpg", b"\xff\xd8\xff jpeg bytes")
    response = client.post(
        f"/cases/{dispatched.pk}/act/reply/", dict(REPLY, **{"reply-evidence": photo})
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=dispatched.pk)
    assert case.state == State.REPLIED
    assert case.reply["actions"] == "联合城管清理并设置提示牌"
    assert [a.name for a in case.attachments.all()] == ["清理后.jpg"]
    assert list(case.events.values_list("action", flat=True))[-2:] == ["reply", "attach"]


def test_a_refused_evidence_file_leaves_nothing_half_saved(client, people, dispatched):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people["shequ"])
    bad = SimpleUploadedFile("脚本.sh", b"rm -rf /")
    response = client.post(
        f"/cases/{dispatched.pk}/act/reply/", dict(REPLY, **{"reply-evidence": bad})
    )
    assert response.status_code == 422
    assert "不支持的文件类型" in response.content.decode()
    case = Case.objects.get(pk=dispatched.pk)
    assert case.state == State.DISPATCHED and case.attachments.count() == 0
    assert case.events.count() == 3


def test_reviewer_sees_the_reply_with_findings(client, people, dispatched):
    client.force_login(people["shequ"])
    anyway = {"reply-anyway": "on", "reply-anyway_reason": "措施已另附照片说明"}
    client.post(
        f"/cases/{dispatched.pk}/act/reply/", dict(REPLY, **{"reply-actions": "无"}, **anyway)
    )
    client.force_login(people["shenhe"])
    page = client.get(f"/cases/{dispatched.pk}/").content.decode()
    assert 'data-review-findings="2"' in page
    assert "没有写采取了什么措施" in page
    assert 'data-action="approve"' in page and 'data-action="reject"' in page
    response = client.post(
        f"/cases/{dispatched.pk}/act/reject/", {"reject-reason": "请写明采取的措施"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=dispatched.pk).state == State.DISPATCHED


def test_bulk_sign_reports_each_refusal(client, people, make_case, dispatched):
    first, second = make_case(), make_case()
    client.force_login(people["zuoxi"])
    response = client.post(
        "/cases/bulk/",
        {
            "bulk_action": "sign",
            "ids": [first.pk, second.pk, dispatched.pk],
            "next": "/queues/received/",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "已签收 2 件" in page
    assert f"{dispatched.platform_no} 未能签收" in page
    assert set(Case.objects.filter(state=State.ACCEPTED).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_bulk_urge_and_cases_out_of_scope_are_ignored(client, people, org, make_case, dispatched):
    theirs = make_case(street=org["other_street"], community=org["elsewhere"])
    client.force_login(people["zuoxi"])
    client.post(
        "/cases/bulk/",
        {"bulk_action": "urge", "ids": [dispatched.pk, theirs.pk], "note": "今天内办结"},
    )
    assert dispatched.events.last().reason == "今天内办结"
    assert theirs.events.count() == 1


def test_bulk_export_is_a_real_masked_workbook(client, people, make_case, dispatched):
    import io

    from openpyxl import load_workbook

    other = make_case(title="夜间施工噪音扰民")
    client.force_login(people["zuoxi"])
    response = client.post(
        "/cases/bulk/", {"bulk_action": "export", "ids": [dispatched.pk, other.pk]}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("工单编号", "来源平台", "诉求类型", "问题分类", "标题")
    assert [r[0] for r in rows[1:]] == [dispatched.platform_no, other.platform_no]
    assert rows[1][7:9] == ("张*", "138****1234")
    assert rows[1][11] == "华龙苑南里****"
    assert rows[1][9].strftime("%Y-%m-%d %H:%M") == "2026-03-02 09:00"
    assert "13812341234" not in str(rows)


def test_full_list_shows_open_cases_by_lamp(client, people, make_case, dispatched):
    make_case()  # received long ago: its 30-minute sign clock is red by now
    client.force_login(people["zuzhang"])
    page = client.get("/cases/").content.decode()
    assert 'data-lamp-count="red"' in page
    assert "红灯(超期) 2 件" in page and "黄灯(临期) 0 件" in page and "绿灯 0 件" in page
    assert client.get("/cases/?lamp=red").content.decode().count("data-case-row") == 2


def test_my_queue_shows_the_units_own_due_time(client, people, org, make_case):
    from jiesu.cases import workflow
    from tests.conftest import at

    case = make_case()
    workflow.sign(case, by=people["zuoxi"], at=at("2026-03-02 09:05"))
    workflow.dispatch(
        case,
        by=people["zuoxi"],
        lead_unit=org["hly"],
        unit_due_at=at("2026-03-05 17:00"),
        due_reason="居民反映强烈,限期三天",
        at=at("2026-03-02 09:20"),
    )
    client.force_login(people["shequ"])
    page = client.get("/queues/mine/").content.decode()
    assert "单位办理时限" in page and "2026-03-05 17:00" in page


def test_error_pages_speak_chinese(client, people):
    client.force_login(people["zuoxi"])
    missing = client.get("/cases/999999/")
    assert missing.status_code == 404
    page = missing.content.decode()
    assert 'data-error-page="404"' in page and "没有找到这一页,或您无权查看。" in page
    assert "matches the given query" not in page
    # a reason written for people is shown as it is
    refused = client.get("/assessment/", {"unit": people["outsider"].memberships.first().unit_id})
    assert refused.status_code == 403
    assert "您无权查看该单位的考核成绩。" in refused.content.decode()
