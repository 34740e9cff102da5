"""Submitted data (a web form, an API body) turned into a workflow call: the action's form
validates it, then the workflow function runs. What follows a step (a bad callback's
reopening) follows from the workflow's event door, not from here."""

from django.db import transaction

from jiesu.cases import services, workflow
from jiesu.cases.errors import Conflict, InvalidInput, NotAllowed
from jiesu.cases.forms import ACTION_FORMS


def form_for(case, action: str, data=None):
    return ACTION_FORMS[action](data, case=case, prefix=action)


EVIDENCE_ACTIONS = {"reply", "contact", "extend", "close", "callback", "note"}


def perform(
    case,
    action: str,
    *,
    by,
    data: dict,
    files=(),
    expected_version: int | None = None,
    prefix=True,
):
    """Validate `data` with the action's form, then call the workflow function; evidence
    files are stored in the same transaction, so a refused file leaves nothing half-saved."""
    if action not in workflow.ACTION_FUNCTIONS:
        raise NotAllowed(f"未知的操作:{action}")
    workflow.check(case, action, by)
    if expected_version is not None and expected_version != case.version:
        raise Conflict("该工单已被他人更新,请刷新后再操作。")
    form = ACTION_FORMS[action](data, case=case, prefix=action if prefix else None)
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        label = form.fields[name].label if name in form.fields else ""
        raise InvalidInput(f"{label}:{errors[0]}" if label else errors[0], field=name)
    if files and action not in EVIDENCE_ACTIONS:
        raise InvalidInput("该操作不能附带文件。", field="evidence")
    for upload in files:
        services.check_upload(upload.name, upload.size)
    with transaction.atomic():
        case = workflow.ACTION_FUNCTIONS[action](case, by=by, **form.cleaned_data)
        for upload in files:
            services.store_attachment(case, by=by, name=upload.name, data=upload.read())
    return case
