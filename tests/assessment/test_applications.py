"""Exemption and appeal applications: every step, every refusal, deadlines and the checklist."""

import datetime as dt
import io

import pytest
from docx import Document
from docx.oxml.ns import qn

from jiesu.assessment import applications
from jiesu.assessment.documents import explanation_document
from jiesu.assessment.models import Application, ApplicationState, ExemptionGround
from jiesu.assessment.queries import scores
from jiesu.audit.models import AuditEvent, Kind
from jiesu.cases import services, workflow
from jiesu.cases.errors import InvalidInput, NotAllowed, RoleRefused
from jiesu.cases.models import CaseEvent
from jiesu.org.models import Membership, Role
from tests.conftest import at
from tests.files import sample

S = ApplicationState
MALICIOUS = "恶意重复来电"  # checklist: 来电记录, 通话录音, 情况说明
# Handed to the platform before the 2026-10 deadline (10-15 18:00), recorded later.
ON_TIME = at("2026-10-14 16:00")


@pytest.fixture
def tichu(people, org):
    from django.contrib.auth.models import User

    user = User.objects.create_user(username="tichu", password="pw-tichu", first_name="郑雪梅")
    Membership.objects.create(user=user, unit=org["street"], role=Role.EXEMPTION)
    return user


@pytest.fixture
def ground(db):
    return ExemptionGround.objects.get(name=MALICIOUS)


@pytest.fixture
def bad_case(closed_case):
    """Received 2026-10-05 (period 2026-10), closed, called back unsolved and unsatisfied."""
    return closed_case("hly", solved="unsolved", satisfaction="unsatisfied")


def evidence(case, by, *names):
    return [services.store_attachment(case, by=by, name=name, data=sample(name)) for name in names]


def new_application(case, by, ground, *files, kind="exemption"):
    return applications.create(
        case,
        by=by,
        kind=kind,
        ground=ground,
        explanation="诉求人一月内来电 37 次,反映同一已办结事项。\n每次来电均无新情况新理由。",
        evidence=evidence(case, by, *files),
    )


def notes(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case, action="note").values_list("reason", flat=True))


def unchanged(app, state, history_length):
    app.refresh_from_db()
    assert (app.state, len(app.history)) == (state, history_length)


# --- filing -------------------------------------------------------------------------


def test_create_sets_period_deadline_history_and_a_timeline_note(people, bad_case, ground):
    app = new_application(bad_case, people["zuoxi"], ground, "通话录音.mp3")
    assert app.state == S.DRAFT and app.period == "2026-10"
    # the period's last day is 10-18; the ground's 3 days before it, at 18:00
    assert app.deadline == at("2026-10-15 18:00")
    assert [a.name for a in app.evidence.all()] == ["通话录音.mp3"]
    (entry,) = app.history
    assert entry["action"] == "create" and entry["by"] == people["zuoxi"].pk
    assert (entry["from_state"], entry["to_state"], entry["by_name"]) == ("", "draft", "zuoxi")
    assert dt.datetime.fromisoformat(entry["at"])
    assert notes(bad_case) == [f"创建不纳入考核申请(理由:{MALICIOUS}),考核周期 2026-10。"]


def test_deadline_by_hand_at_period_edges_and_per_ground(db):
    ground = ExemptionGround(name="x", deadline_days=3)
    assert applications.deadline_for("2026-10", ground) == at("2026-10-15 18:00")
    assert applications.deadline_for("2027-01", ground) == at("2027-01-15 18:00")
    ground.deadline_days = 0
    assert applications.deadline_for("2026-10", ground) == at("2026-10-18 18:00")
    ground.deadline_days = 20
    assert applications.deadline_for("2026-03", ground) == at("2026-02-26 18:00")


def test_a_case_received_on_the_19th_belongs_to_the_next_period(people, make_case, ground):
    case = make_case(received_at=at("2026-10-19 00:00"))
    app = applications.create(
        case, by=people["zuzhang"], kind="appeal", ground=ground, explanation="说明"
    )
    assert (app.period, app.deadline) == ("2026-11", at("2026-11-15 18:00"))


def test_filing_refusals_change_nothing(people, org, bad_case, make_case, ground):
    other = make_case()
    foreign = evidence(other, people["zuoxi"], "通话录音.mp3")
    cases = [
        (RoleRefused, dict(by=people["outsider"])),  # cannot see the case
        (RoleRefused, dict(by=people["shequ"])),  # sees it, but handlers do not file
        (RoleRefused, dict(by=people["admin"])),
        (InvalidInput, dict(explanation="  ")),
        (InvalidInput, dict(kind="other")),
        (InvalidInput, dict(ground=None)),
        (InvalidInput, dict(evidence=foreign)),
    ]
    for error, change in cases:
        arguments = dict(
            by=people["zuoxi"], kind="exemption", ground=ground, explanation="说明", evidence=()
        )
        arguments.update(change)
        with pytest.raises(error) as caught:
            applications.create(bad_case, **arguments)
        assert caught.value.message
    ground.active = False
    ground.save()
    with pytest.raises(InvalidInput, match="启用"):
        applications.create(
            bad_case, by=people["zuoxi"], kind="exemption", ground=ground, explanation="说明"
        )
    not_assessed = make_case(evaluation_type="none")
    with pytest.raises(InvalidInput, match="本就不纳入考核"):
        applications.create(
            not_assessed,
            by=people["zuoxi"],
            kind="exemption",
            ground=ExemptionGround.objects.first(),
            explanation="说明",
        )
    assert Application.objects.count() == 0
    assert notes(bad_case) == []


def test_one_active_application_per_case_until_refused(people, bad_case, ground, tichu):
    app = new_application(bad_case, people["zuoxi"], ground, "通话录音.mp3", "来电记录.xlsx")
    with pytest.raises(InvalidInput, match="已有草稿的不纳入考核申请"):
        new_application(bad_case, people["zuzhang"], ground, kind="appeal")
    applications.submit_for_review(app, by=people["zuoxi"])
    applications.first_review(app, by=tichu, approve=True)
    applications.second_review(app, by=people["zuzhang"], approve=True)
    applications.record_submission(app, by=people["zuoxi"], at=ON_TIME)
    applications.record_outcome(app, by=tichu, passed=False, note="平台认为理由不充分")
    appeal = new_application(bad_case, people["zuzhang"], ground, kind="appeal")
    assert appeal.state == S.DRAFT and Application.objects.count() == 2


# --- the path to the platform's outcome ---------------------------------------------


def test_the_whole_path_to_a_passed_exemption_lifts_the_score(
    people, org, closed_case, bad_case, ground, tichu
):
    closed_case("hly", valid=True)  # a good case beside the bad one
    hly = next(
        r for r in scores("2026-10", org["street"])["rows"] if r["unit"]["id"] == org["hly"].pk
    )
    # 2 valid, 2 contacted, 1 solved, 1 satisfied: (0.1×1 + 0.5×0.5 + 0.4×0.5)×100
    assert hly["score"] == 55.0
    app = new_application(bad_case, people["zuoxi"], ground, "通话录音.mp3", "来电记录.pdf")
    applications.submit_for_review(app, by=people["zuoxi"])
    assert app.state == S.FIRST_REVIEW
    applications.first_review(app, by=tichu, approve=True, note="材料齐全")
    assert app.state == S.SECOND_REVIEW
    applications.second_review(app, by=people["zuzhang"], approve=True)
    assert app.state == S.READY
    submitted = ON_TIME
    applications.record_submission(app, by=tichu, at=submitted)
    assert (app.state, app.submitted_at) == (S.SUBMITTED, submitted)
    applications.record_outcome(app, by=people["zuoxi"], passed=True, note="平台同意剔除")
    app.refresh_from_db()
    assert app.state == S.PASSED and app.outcome_at >= submitted
    steps = [(e["action"], e["from_state"], e["to_state"], e["note"]) for e in app.history]
    assert steps == [
        ("create", "", "draft", ""),
        ("submit_for_review", "draft", "first_review", ""),
        ("first_review_approve", "first_review", "second_review", "材料齐全"),
        ("second_review_approve", "second_review", "ready", ""),
        ("record_submission", "ready", "submitted", ""),
        ("record_outcome_passed", "submitted", "passed", "平台同意剔除"),
    ]
    assert [e["by_name"] for e in app.history] == [
        "zuoxi",
        "zuoxi",
        "郑雪梅",
        "zuzhang",
        "郑雪梅",
        "zuoxi",
    ]
    assert notes(bad_case) == [
        f"创建不纳入考核申请(理由:{MALICIOUS}),考核周期 2026-10。",
        f"已向平台提交不纳入考核申请(理由:{MALICIOUS})。",
        f"不纳入考核申请(理由:{MALICIOUS})平台审核通过,本工单不计入 2026-10 考核周期。",
    ]
    hly = next(
        r for r in scores("2026-10", org["street"])["rows"] if r["unit"]["id"] == org["hly"].pk
    )
    assert (hly["valid"], hly["score"]) == (1, 100.0)


def test_the_caller_keeps_a_usable_case_after_the_timeline_notes(people, bad_case, ground):
    new_application(bad_case, people["zuoxi"], ground)
    workflow.note(bad_case, by=people["zuoxi"], text="之后的备注")
    assert notes(bad_case)[-1] == "之后的备注"


def test_reviews_return_with_a_reason_and_the_applicant_revises(people, bad_case, ground, tichu):
    app = new_application(bad_case, people["zuoxi"], ground, "通话录音.mp3", "来电记录.pdf")
    applications.submit_for_review(app, by=people["zuoxi"])
    with pytest.raises(InvalidInput, match="退回意见"):
        applications.first_review(app, by=tichu, approve=False, note=" ")
    unchanged(app, S.FIRST_REVIEW, 2)
    applications.first_review(app, by=tichu, approve=False, note="录音不完整")
    assert app.state == S.RETURNED
    more = evidence(bad_case, people["zuoxi"], "完整通话录音.mp3")
    other_ground = ExemptionGround.objects.get(name="超出本单位职责范围")
    other_ground.deadline_days = 5
    other_ground.save()
    applications.revise(
        app,
        by=people["zuoxi"],
        kind="exemption",
        ground=other_ground,
        explanation="改写的情况说明",
        evidence=[*app.evidence.all(), *more],
    )
    app.refresh_from_db()
    assert (app.state, app.ground, app.deadline) == (
        S.RETURNED,
        other_ground,
        at("2026-10-13 18:00"),
    )
    assert app.history[-1]["note"] == "修改了理由、情况说明、证据材料"
    with pytest.raises(InvalidInput, match="职责依据"):
        applications.submit_for_review(app, by=people["zuoxi"])
    applications.submit_for_review(app, by=people["zuoxi"], confirmed_items=["职责依据"])
    applications.first_review(app, by=tichu, approve=True)
    with pytest.raises(InvalidInput):
        applications.second_review(app, by=people["zuzhang"], approve=False)
    applications.second_review(app, by=people["zuzhang"], approve=False, note="再核实")
    assert app.state == S.RETURNED
    assert [e["action"] for e in app.history][-3:] == [
        "submit_for_review",
        "first_review_approve",
        "second_review_reject",
    ]


def test_wrong_state_or_wrong_role_changes_nothing(people, bad_case, ground, tichu):
    app = new_application(bad_case, people["zuoxi"], ground, "通话录音.mp3", "来电记录.pdf")
    refusals = [
        (NotAllowed, lambda: applications.first_review(app, by=tichu, approve=True)),
        (NotAllowed, lambda: applications.record_submission(app, by=people["zuoxi"])),
        (
            NotAllowed,
            lambda: applications.record_outcome(app, by=people["zuoxi"], passed=True),
        ),
        (RoleRefused, lambda: applications.submit_for_review(app, by=people["shequ"])),
        (RoleRefused, lambda: applications.submit_for_review(app, by=people["outsider"])),
        (RoleRefused, lambda: applications.submit_for_review(app, by=people["shenhe"])),
    ]
    for error, attempt in refusals:
        with pytest.raises(error) as caught:
            attempt()
        assert "申请当前状态为“草稿”" in caught.value.message or "权限" in caught.value.message
        unchanged(app, S.DRAFT, 1)
    applications.submit_for_review(app, by=people["zuoxi"])
    for by in (people["zuoxi"], people["zuzhang"], people["shenhe"]):
        with pytest.raises(RoleRefused, match="剔除专员"):
            applications.first_review(app, by=by, approve=True)
    with pytest.raises(NotAllowed, match="待剔除专员审核"):
        applications.second_review(app, by=people["zuzhang"], approve=True)
    unchanged(app, S.FIRST_REVIEW, 2)
    applications.first_review(app, by=tichu, approve=True)
    with pytest.raises(RoleRefused, match="组长"):
        applications.second_review(app, by=tichu, approve=True)
    unchanged(app, S.SECOND_REVIEW, 3)
    applications.second_review(app, by=people["zuzhang"], approve=True)
    with pytest.raises(RoleRefused):
        applications.record_submission(app, by=people["shuju"])
    with pytest.raises(InvalidInput, match="不能晚于现在"):
        applications.record_submission(
            app, by=people["zuoxi"], at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        )
    unchanged(app, S.READY, 4)
    applications.record_submission(app, by=people["zuoxi"], at=ON_TIME)
    with pytest.raises(InvalidInput, match="查否原因"):
        applications.record_outcome(app, by=people["zuoxi"], passed=False)
    with pytest.raises(InvalidInput, match="不能早于提交平台的时间"):
        applications.record_outcome(
            app, by=people["zuoxi"], passed=True, at=app.submitted_at - dt.timedelta(minutes=1)
        )
    with pytest.raises(RoleRefused):
        applications.record_outcome(app, by=people["keshi"], passed=True)
    unchanged(app, S.SUBMITTED, 5)
    applications.record_outcome(app, by=people["zuoxi"], passed=False, note="查否:证据不足")
    with pytest.raises(NotAllowed, match="查否"):
        applications.record_outcome(app, by=people["zuoxi"], passed=True)
    unchanged(app, S.REFUSED, 6)


def test_a_stale_instance_is_checked_against_the_stored_state(people, bad_case, ground, tichu):
    app = new_application(bad_case, people["zuoxi"], ground, "通话录音.mp3", "来电记录.pdf")
    stale = Application.objects.get(pk=app.pk)
    applications.submit_for_review(app, by=people["zuoxi"])
    applications.first_review(app, by=tichu, approve=False, note="退回")
    stale.state = S.FIRST_REVIEW  # what another page might still show
    with pytest.raises(NotAllowed, match="已退回修改"):
        applications.first_review(stale, by=tichu, approve=True)
    unchanged(app, S.RETURNED, 3)


def test_timeline_note_is_skipped_when_the_person_may_not_note(
    people, bad_case, ground, monkeypatch
):
    def refuse_notes(case, action, user):
        raise RoleRefused("不能备注")

    monkeypatch.setattr(workflow, "check", refuse_notes)
    app = new_application(bad_case, people["zuoxi"], ground)
    assert app.state == S.DRAFT and notes(bad_case) == []


# --- the evidence checklist ---------------------------------------------------------


def test_checklist_items_need_a_named_file_or_a_confirmation(people, bad_case, ground):
    app = new_application(bad_case, people["zuoxi"], ground, "通话录音-0305.MP3")
    assert applications.checklist_status(app) == [
        ("来电记录", None),
        ("通话录音", "通话录音-0305.MP3"),
        ("情况说明", "本申请的情况说明"),
    ]
    with pytest.raises(InvalidInput) as caught:
        applications.submit_for_review(app, by=people["zuoxi"])
    assert caught.value.message.startswith("缺少证据材料:来电记录。")
    with pytest.raises(InvalidInput, match="不在该理由须提供的证据清单中"):
        applications.submit_for_review(app, by=people["zuoxi"], confirmed_items=["身份证"])
    unchanged(app, S.DRAFT, 1)
    applications.submit_for_review(app, by=people["zuoxi"], confirmed_items=["来电记录", ""])
    entry = app.history[-1]
    assert entry["confirmed"] == ["来电记录"]
    assert entry["note"] == "确认已另行提供:来电记录"
    assert applications.recorded_confirmations(app) == ["来电记录"]
    texts = [p.text for p in Document(io.BytesIO(explanation_document(app))).paragraphs]
    assert texts[texts.index("四、证明材料") + 1 :][:2] == [
        "1. 通话录音-0305.MP3",
        "2. 来电记录(已另行提供)",
    ]


def test_a_file_named_for_every_item_needs_no_confirmation(people, bad_case):
    ground = ExemptionGround.objects.get(name="重复诉求且无新情况新理由")
    app = new_application(bad_case, people["zuoxi"], ground, "前次工单编号截图.png", "通话录音.wav")
    applications.submit_for_review(app, by=people["zuoxi"], confirmed_items=["通话录音"])
    assert app.history[-1]["confirmed"] == [] and app.history[-1]["note"] == ""


# --- deadlines ----------------------------------------------------------------------


def test_deadline_helpers_by_hand(people, bad_case, ground, tichu):
    app = new_application(bad_case, people["zuoxi"], ground, "通话录音.mp3", "来电记录.pdf")
    assert app.deadline == at("2026-10-15 18:00")
    expectations = [
        # now, overdue, days left, due soon, lamp
        ("2026-10-12 18:00", False, 3.0, False, "green"),
        ("2026-10-13 18:00", False, 2.0, False, "green"),
        ("2026-10-13 18:01", False, 1.9, True, "yellow"),
        ("2026-10-14 06:00", False, 1.5, True, "yellow"),
        ("2026-10-15 18:00", False, 0.0, True, "yellow"),
        ("2026-10-15 18:30", True, -0.1, False, "red"),
        ("2026-10-17 06:00", True, -1.5, False, "red"),
    ]
    for now, overdue, left, soon, lamp in expectations:
        moment = at(now)
        assert applications.is_overdue(app, moment) is overdue, now
        assert applications.days_left(app, moment) == left, now
        assert applications.is_due_soon(app, moment) is soon, now
        assert applications.deadline_lamp(app, moment) == lamp, now
    applications.submit_for_review(app, by=people["zuoxi"])
    applications.first_review(app, by=tichu, approve=True)
    applications.second_review(app, by=people["zuzhang"], approve=True)
    assert applications.is_overdue(app, at("2026-10-17 06:00"))
    applications.record_submission(app, by=people["zuoxi"], at=ON_TIME)
    late = at("2026-10-17 06:00")
    assert not applications.is_overdue(app, late) and not applications.is_due_soon(app, late)
    assert applications.days_left(app, late) is None
    assert applications.deadline_lamp(app, late) == "none"


def ready(case, people, ground, tichu):
    """An application through both reviews, waiting to be handed to the platform."""
    app = new_application(case, people["zuoxi"], ground, "通话录音.mp3", "来电记录.pdf")
    applications.submit_for_review(app, by=people["zuoxi"])
    applications.first_review(app, by=tichu, approve=True)
    applications.second_review(app, by=people["zuzhang"], approve=True)
    return app


def test_a_submission_by_the_deadline_needs_no_override(people, bad_case, ground, tichu):
    app = ready(bad_case, people, ground, tichu)
    applications.record_submission(app, by=people["zuoxi"], at=at("2026-10-15 18:00"))
    assert app.state == S.SUBMITTED and "override" not in app.history[-1]
    assert not AuditEvent.objects.filter(kind=Kind.DEADLINE_OVERRIDE).exists()


def test_a_late_submission_is_refused_unless_the_leader_overrides(people, bad_case, ground, tichu):
    app = ready(bad_case, people, ground, tichu)
    late = at("2026-10-15 18:01")
    before = notes(bad_case)
    for by, reason in ((people["zuoxi"], ""), (people["zuoxi"], "平台同意补交"), (tichu, "补交")):
        with pytest.raises(NotAllowed) as refused:
            applications.record_submission(app, by=by, at=late, override_reason=reason)
        assert refused.value.message == (
            "已超过提交截止时间 2026-10-15 18:00,不能提交。如确需逾期提交,须由组长填写理由特批。"
        )
        unchanged(app, S.READY, 4)
    with pytest.raises(InvalidInput, match="组长特批须填写逾期提交理由") as refused:
        applications.record_submission(app, by=people["zuzhang"], at=late, override_reason=" ")
    assert refused.value.field == "override_reason"
    unchanged(app, S.READY, 4)
    assert notes(bad_case) == before
    assert not AuditEvent.objects.filter(kind=Kind.DEADLINE_OVERRIDE).exists()

    applications.record_submission(
        app, by=people["zuzhang"], at=late, override_reason=" 平台系统故障,已同意补交 "
    )
    app.refresh_from_db()
    assert (app.state, app.submitted_at) == (S.SUBMITTED, late)
    assert app.history[-1]["override"] == {
        "reason": "平台系统故障,已同意补交",
        "deadline": at("2026-10-15 18:00").isoformat(),
        "at": late.isoformat(),
    }
    (audit,) = AuditEvent.objects.filter(kind=Kind.DEADLINE_OVERRIDE)
    assert (audit.actor_id, audit.target_type, audit.target_id) == (
        people["zuzhang"].pk,
        "assessment.application",
        str(app.pk),
    )
    assert audit.detail["reason"] == "平台系统故障,已同意补交"
    assert (audit.detail["deadline"], audit.detail["submitted_at"]) == (
        "2026-10-15 18:00",
        "2026-10-15 18:01",
    )
    assert notes(bad_case)[-1] == (
        f"已向平台提交不纳入考核申请(理由:{MALICIOUS})。"
        "已超过提交截止时间 2026-10-15 18:00,组长特批:平台系统故障,已同意补交"
    )


def test_allowed_actions_follow_state_and_role(people, bad_case, ground, tichu):
    app = new_application(bad_case, people["zuoxi"], ground, "通话录音.mp3", "来电记录.pdf")
    assert applications.allowed_actions(app, people["zuoxi"]) == ["revise", "submit_for_review"]
    assert applications.allowed_actions(app, tichu) == ["revise", "submit_for_review"]
    assert applications.allowed_actions(app, people["shequ"]) == []
    applications.submit_for_review(app, by=people["zuoxi"])
    assert applications.allowed_actions(app, tichu) == [
        "first_review_approve",
        "first_review_reject",
    ]
    assert applications.allowed_actions(app, people["zuzhang"]) == []
    applications.first_review(app, by=tichu, approve=True)
    assert applications.allowed_actions(app, people["zuzhang"]) == [
        "second_review_approve",
        "second_review_reject",
    ]
    applications.second_review(app, by=people["zuzhang"], approve=True)
    assert applications.allowed_actions(app, people["zuoxi"]) == ["record_submission"]
    applications.record_submission(app, by=people["zuoxi"], at=ON_TIME)
    assert applications.allowed_actions(app, tichu) == [
        "record_outcome_passed",
        "record_outcome_refused",
    ]
    assert applications.allowed_actions(app, people["shuju"]) == []


def test_word_document_has_the_facts_masked_and_chinese_fonts(people, bad_case, ground, categories):
    bad_case.content = (
        "张三(电话13812341234,另有13900001111)反映华龙苑南里12号楼3单元502门口占道经营。"
    )
    bad_case.category = categories["stalls"]
    bad_case.save()
    app = new_application(bad_case, people["zuoxi"], ground, "通话录音.mp3", "来电记录.pdf")
    applications.submit_for_review(app, by=people["zuoxi"])
    doc = Document(io.BytesIO(explanation_document(app)))
    texts = [p.text for p in doc.paragraphs]
    whole = "\n".join(texts)
    assert texts[0] == f"关于工单{bad_case.platform_no}的情况说明"
    for expected in (
        f"工单编号:{bad_case.platform_no}",
        "来电时间:2026年10月05日 09:00",
        "问题分类:城乡建设->市容环卫->占道经营",
        "来电人:张*",
        "主要内容:张*(电话138****1234,另有139****1111)反映华龙苑南里****门口占道经营。",
        "回访结果:有效回访、已联系、未解决、不满意",
        "申请类型:不纳入考核",
        f"申请理由:{MALICIOUS}",
        "诉求人一月内来电 37 次,反映同一已办结事项。",
        "每次来电均无新情况新理由。",
        "1. 通话录音.mp3",
        "2. 来电记录.pdf",
        "申请单位:霍营街道",
        "申请人:zuoxi",
    ):
        assert expected in texts, expected
    assert "13812341234" not in whole and "张三" not in whole and "12号楼" not in whole
    title_run = doc.paragraphs[0].runs[0]
    assert title_run.bold and title_run.font.name == "宋体"
    assert title_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    body_run = doc.paragraphs[-1].runs[0]
    assert body_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert round(doc.sections[0].page_width.cm, 1) == 21.0
