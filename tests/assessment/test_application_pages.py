"""The application pages: list, filing form, detail with its buttons, actions and the Word file."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document

from jiesu.assessment import applications
from jiesu.assessment.models import Application, ExemptionGround
from jiesu.cases import services
from jiesu.org.models import Membership, Role
from tests.files import sample

MALICIOUS = "恶意重复来电"
BUTTONS = [
    "revise",
    "submit_for_review",
    "first_review_approve",
    "first_review_reject",
    "second_review_approve",
    "second_review_reject",
    "record_submission",
    "record_outcome_passed",
    "record_outcome_refused",
]


@pytest.fixture
def tichu(people, org):
    from django.contrib.auth.models import User

    user = User.objects.create_user(username="tichu", password="pw-tichu")
    Membership.objects.create(user=user, unit=org["street"], role=Role.EXEMPTION)
    return user


@pytest.fixture
def ground(db):
    return ExemptionGround.objects.get(name=MALICIOUS)


@pytest.fixture
def bad_case(closed_case):
    return closed_case("hly", solved="unsolved", satisfaction="unsatisfied")


@pytest.fixture
def recording(bad_case, people):
    return services.store_attachment(
        bad_case, by=people["zuoxi"], name="通话录音.mp3", data=sample("通话录音.mp3")
    )


@pytest.fixture
def draft(bad_case, people, ground, recording):
    return applications.create(
        bad_case,
        by=people["zuoxi"],
        kind="exemption",
        ground=ground,
        explanation="诉求人反复来电。",
        evidence=[recording],
    )


def buttons(page: str) -> list[str]:
    return [name for name in BUTTONS if f'data-action="{name}"' in page]


def test_pages_need_login(client, draft):
    for url in (
        "/assessment/applications/",
        f"/assessment/applications/{draft.pk}/",
        f"/assessment/applications/new/{draft.case_id}/",
        f"/assessment/applications/{draft.pk}/document.docx",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), url


def test_list_shows_state_period_deadline_and_filters(client, people, draft, make_case, ground):
    client.force_login(people["zuoxi"])
    page = client.get("/assessment/applications/").content.decode()
    assert f'data-application-row="{draft.pk}"' in page
    assert "草稿" in page and "2026-10" in page and "2026-10-15 18:00" in page
    # the period ended long ago: red, overdue
    assert 'data-deadline-lamp="red"' in page and "已超期 " in page
    soon = applications.create(
        make_case(),
        by=people["zuoxi"],
        kind="appeal",
        ground=ground,
        explanation="说明",
    )
    Application.objects.filter(pk=soon.pk).update(
        deadline=timezone.now() + dt.timedelta(days=1, hours=12)
    )
    page = client.get("/assessment/applications/").content.decode()
    # 1.5 days less the moments since, in words, counted down: 1 day 11 hours
    assert 'data-deadline-lamp="yellow"' in page and "还剩 1天11小时" in page
    page = client.get("/assessment/applications/", {"period": "2026-03"}).content.decode()
    assert f'data-application-row="{soon.pk}"' in page
    assert f'data-application-row="{draft.pk}"' not in page
    page = client.get("/assessment/applications/", {"state": "submitted"}).content.decode()
    assert "没有符合条件的申请" in page


def test_list_is_for_staff_of_the_street(client, people, draft):
    for name in ("outsider", "shequ"):
        client.force_login(people[name])
        page = client.get("/assessment/applications/").content.decode()
        assert "data-application-row" not in page, name
        assert client.get(f"/assessment/applications/{draft.pk}/").status_code == 404
        document = client.get(f"/assessment/applications/{draft.pk}/document.docx")
        assert document.status_code == 404


def test_filing_form_with_ticked_and_uploaded_evidence(client, people, bad_case, recording, ground):
    client.force_login(people["zuoxi"])
    url = f"/assessment/applications/new/{bad_case.pk}/"
    page = client.get(url).content.decode()
    assert "通话录音.mp3" in page and MALICIOUS in page and "来电记录、通话录音、情况说明" in page
    response = client.post(
        url,
        {
            "kind": "exemption",
            "ground": ground.pk,
            "explanation": "诉求人反复来电。",
            "evidence": [recording.pk],
            "evidence_files": [SimpleUploadedFile("来电记录.xlsx", sample("来电记录.xlsx"))],
        },
    )
    app = Application.objects.get()
    assert response.status_code == 302 and response.url == f"/assessment/applications/{app.pk}/"
    assert sorted(a.name for a in app.evidence.all()) == ["来电记录.xlsx", "通话录音.mp3"]
    assert bad_case.attachments.count() == 2
    page = client.get(url).content.decode()
    assert f'data-existing="{app.pk}"' in page


def test_filing_form_refusals(client, people, bad_case, draft, ground, make_case):
    client.force_login(people["shequ"])
    assert client.get(f"/assessment/applications/new/{bad_case.pk}/").status_code == 403
    client.force_login(people["outsider"])
    assert client.get(f"/assessment/applications/new/{bad_case.pk}/").status_code == 404
    client.force_login(people["zuoxi"])
    response = client.post(
        f"/assessment/applications/new/{bad_case.pk}/",
        {"kind": "appeal", "ground": ground.pk, "explanation": "再申请"},
    )
    assert response.status_code == 422 and "不能重复申请" in response.content.decode()
    other = make_case()
    response = client.post(
        f"/assessment/applications/new/{other.pk}/",
        {
            "kind": "exemption",
            "ground": ground.pk,
            "explanation": "说明",
            "evidence_files": [SimpleUploadedFile("病毒.exe", b"MZ")],
        },
    )
    assert response.status_code == 422 and "不支持的文件类型" in response.content.decode()
    assert other.attachments.count() == 0
    response = client.post(f"/assessment/applications/new/{other.pk}/", {"kind": "exemption"})
    assert response.status_code == 422 and "这个字段是必填项" in response.content.decode()
    assert Application.objects.count() == 1


def test_detail_shows_only_the_buttons_usable_now(client, people, draft, tichu):
    url = f"/assessment/applications/{draft.pk}/"
    client.force_login(people["zuoxi"])
    page = client.get(url).content.decode()
    assert buttons(page) == ["revise", "submit_for_review"]
    assert f'href="/assessment/applications/{draft.pk}/document.docx"' in page
    assert 'data-checklist-item="来电记录" data-met="no"' in page
    assert 'data-confirm="来电记录"' in page and 'data-confirm="通话录音"' not in page
    assert "张*" in page and "张三" not in page
    client.force_login(tichu)
    assert buttons(client.get(url).content.decode()) == ["revise", "submit_for_review"]
    client.force_login(people["shenhe"])
    page = client.get(url).content.decode()
    assert buttons(page) == [] and "没有可执行的操作" in page
    applications.submit_for_review(draft, by=people["zuoxi"], confirmed_items=["来电记录"])
    client.force_login(tichu)
    assert buttons(client.get(url).content.decode()) == [
        "first_review_approve",
        "first_review_reject",
    ]
    client.force_login(people["zuoxi"])
    page = client.get(url).content.decode()
    assert buttons(page) == []
    assert 'data-checklist-item="来电记录" data-met="yes"' in page and "已确认另行提供" in page


def test_the_whole_path_through_the_pages(client, people, draft, tichu, bad_case):
    act = f"/assessment/applications/{draft.pk}/act/"
    detail = f"/assessment/applications/{draft.pk}/"
    client.force_login(people["zuoxi"])
    response = client.post(act + "submit_for_review/")
    assert response.status_code == 422
    assert "缺少证据材料:来电记录。" in response.content.decode()
    response = client.post(act + "submit_for_review/", {"confirmed_items": ["来电记录"]})
    assert response.status_code == 302 and response.url == detail
    response = client.post(act + "first_review_approve/")
    assert response.status_code == 403 and "剔除专员" in response.content.decode()
    client.force_login(tichu)
    response = client.post(act + "first_review_reject/", {"note": ""})
    assert response.status_code == 422 and "请填写退回意见" in response.content.decode()
    assert client.post(act + "first_review_approve/", {"note": "齐全"}).status_code == 302
    client.force_login(people["zuzhang"])
    assert client.post(act + "second_review_approve/").status_code == 302
    page = client.get(detail).content.decode()
    assert 'data-warning="late"' in page and "已超过提交截止时间 2026-10-15 18:00" in page
    assert 'name="override_reason"' in page  # the 组长 may let it through
    when = timezone.localtime() - dt.timedelta(hours=3)
    late = {"at": when.strftime("%Y-%m-%dT%H:%M")}
    response = client.post(act + "record_submission/", late)
    assert response.status_code == 422
    assert "已超过提交截止时间 2026-10-15 18:00,不能提交" in response.content.decode()
    response = client.post(act + "record_submission/", dict(late, override_reason="平台同意补交"))
    assert response.status_code == 302
    response = client.post(act + "record_outcome_refused/", {"note": ""})
    assert response.status_code == 422 and "请填写查否原因" in response.content.decode()
    response = client.post(act + "record_outcome_passed/", {"at": "昨天"})
    assert response.status_code == 422 and "结果时间" in response.content.decode()
    response = client.post(act + "record_outcome_passed/", {"note": "同意"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "passed"
    assert draft.submitted_at == when.replace(second=0, microsecond=0)
    page = client.get(detail).content.decode()
    assert buttons(page) == [] and 'data-state="passed"' in page
    assert page.count("data-history-action=") == 6
    assert "逾期提交(截止时间 2026-10-15 18:00),组长特批:平台同意补交" in page
    assert client.post(act + "record_outcome_passed/").status_code == 409
    assert client.post(act + "dance/").status_code == 404


def test_a_late_submission_page_for_the_desk_and_for_the_leader(client, people, draft, tichu):
    applications.submit_for_review(draft, by=people["zuoxi"], confirmed_items=["来电记录"])
    applications.first_review(draft, by=tichu, approve=True)
    applications.second_review(draft, by=people["zuzhang"], approve=True)
    act = f"/assessment/applications/{draft.pk}/act/record_submission/"
    client.force_login(people["zuoxi"])
    page = client.get(f"/assessment/applications/{draft.pk}/").content.decode()
    assert "提交截止时间 2026-10-15 18:00" in page and "否则须由组长特批" in page
    assert 'name="override_reason"' not in page
    response = client.post(act, {"override_reason": "想补交"})
    assert response.status_code == 409
    assert "已超过提交截止时间 2026-10-15 18:00,不能提交" in response.content.decode()
    # handed in on time, recorded late: no override needed
    response = client.post(act, {"at": "2026-10-15T17:30"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "submitted" and "override" not in draft.history[-1]


def test_revise_with_an_upload(client, people, draft):
    client.force_login(people["zuoxi"])
    response = client.post(
        f"/assessment/applications/{draft.pk}/act/revise/",
        {
            "kind": "exemption",
            "ground": draft.ground_id,
            "explanation": "补充了来电记录。",
            "evidence": [a.pk for a in draft.evidence.all()],
            "evidence_files": [SimpleUploadedFile("来电记录.pdf", sample("来电记录.pdf"))],
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.explanation == "补充了来电记录。"
    assert sorted(a.name for a in draft.evidence.all()) == ["来电记录.pdf", "通话录音.mp3"]
    response = client.post(
        f"/assessment/applications/{draft.pk}/act/revise/", {"kind": "exemption"}
    )
    assert response.status_code == 422 and "必填" in response.content.decode()


def test_word_document_download(client, people, draft):
    client.force_login(people["zuzhang"])
    response = client.get(f"/assessment/applications/{draft.pk}/document.docx")
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert (
        "attachment" in response["Content-Disposition"]
        and ".docx" in response["Content-Disposition"]
    )
    doc = Document(io.BytesIO(response.content))
    assert doc.paragraphs[0].text == f"关于工单{draft.case.platform_no}的情况说明"
    assert "1. 通话录音.mp3" in [p.text for p in doc.paragraphs]
