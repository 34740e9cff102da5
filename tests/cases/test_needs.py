"""The table's "what must be given" column: the forms require exactly those fields, the
one-step buttons are the actions that need nothing, and the workflow refuses each missing
one with the message the desk has always read."""

import pytest

from jiesu.cases import workflow
from jiesu.cases.errors import InvalidInput
from jiesu.cases.forms import ACTION_FORMS, ONE_STEP
from jiesu.cases.models import State
from tests.cases.test_transition_table import case_in, prepare, valid_data

# What the workflow says when a need is missing, as it said before the column existed.
MESSAGES = {
    ("return", "reason"): "请填写退回原因。",
    ("dispute", "reason"): "请填写异议理由。",
    ("dispatch", "lead_unit"): "请选择主办单位。",
    ("redispatch", "reason"): "请填写改派原因。",
    ("redispatch", "lead_unit"): "请选择主办单位。",
    ("contact", "contact_at"): "请填写联系时间。",
    ("contact", "way"): "请填写联系方式。",
    ("supervise", "note"): "请填写督办意见。",
    ("extend", "reason"): "请填写延期理由。",
    ("extend", "until"): "请填写申请延期至。",
    ("approve_extension", "approved"): "请选择审批意见。",
    ("reply", "contact_at"): "请填写联系时间。",
    ("reply", "contact_way"): "请填写联系方式。",
    ("reply", "facts"): "请填写核实情况。",
    ("reply", "actions"): "请填写采取措施。",
    ("reply", "result"): "请填写办理结果或进展。",
    ("reply", "citizen_response"): "请填写诉求人反馈。",
    ("reject", "reason"): "请填写驳回原因。",
    ("close", "answer"): "请填写答复内容。",
    ("callback", "solved"): "请选择是否解决。",
    ("callback", "satisfaction"): "请选择是否满意。",
    ("reopen", "reason"): "请填写重办原因。",
    ("shelve", "reason"): "请填写挂账原因。",
    ("unshelve", "reason"): "请填写销账说明。",
    ("note", "text"): "请填写备注内容。",
}


def test_every_form_requires_exactly_its_actions_needs():
    for action, form in ACTION_FORMS.items():
        required = {name for name, field in form.base_fields.items() if field.required}
        assert required == workflow.TRANSITIONS[action].need_names, action


def test_the_column_holds_the_messages_the_desk_reads():
    column = {
        (action, need.name): need.message
        for action, t in workflow.TRANSITIONS.items()
        for need in t.needs
    }
    assert column == MESSAGES


def test_the_one_step_buttons_are_the_actions_that_need_nothing():
    assert {"sign", "urge", "approve_dispatch", "approve"} == ONE_STEP


def _first_state(t) -> str:
    return next(
        s
        for s in (
            State.DISPATCHED,
            State.ACCEPTED,
            State.REPLIED,
            State.CLOSED,
            State.SHELVED,
            State.RECEIVED,
        )
        if s in t.sources
    )


@pytest.mark.parametrize("action, field", sorted(MESSAGES))
def test_the_workflow_refuses_each_missing_need_and_changes_nothing(
    action, field, org, people, make_case
):
    t = workflow.TRANSITIONS[action]
    case = prepare(
        action,
        case_in(_first_state(t), lead=org["hly"], make_case=make_case, people=people),
        people,
    )
    form = ACTION_FORMS[action](valid_data(action, org), case=case)
    assert form.is_valid(), form.errors
    given = dict(form.cleaned_data, **{field: None if field == "approved" else ""})
    before = (case.state, case.version, case.events.count())
    with pytest.raises(InvalidInput) as refused:
        workflow.ACTION_FUNCTIONS[action](case, by=people["zuzhang"], **given)
    assert (refused.value.message, refused.value.field) == (MESSAGES[action, field], field)
    case.refresh_from_db()
    assert (case.state, case.version, case.events.count()) == before
