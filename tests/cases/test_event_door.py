"""The event door: other apps hear of each committed step, once, and only if it committed;
a subscriber that fails is logged and harms neither the step nor the other subscribers."""

import logging

import pytest
from django.db import transaction

from jiesu.cases import workflow
from jiesu.cases.models import Case
from tests.conftest import at


@pytest.fixture
def heard():
    """Subscribes a listener to 备注 for the test; yields what it heard."""
    calls = []

    def listener(case, step):
        calls.append(
            (
                case.pk,
                step.action,
                step.reason,
                step.actor,
                Case.objects.filter(pk=case.pk, version=case.version).exists(),
            )
        )

    workflow.subscribe("note", listener)
    yield calls
    workflow.unsubscribe("note", listener)


def test_a_subscriber_hears_a_step_once_after_it_commits(
    heard, dispatched, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.note(dispatched, by=people["zuoxi"], text="已电话提醒", at=at("2026-03-02 10:00"))
        assert heard == []  # not before the commit
    # the step is in the database, at the version the subscriber was handed
    assert heard == [(dispatched.pk, "note", "已电话提醒", people["zuoxi"], True)]


def test_a_step_rolled_back_is_never_heard(
    heard, dispatched, people, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as pending,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.note(dispatched, by=people["zuoxi"], text="写错了")
        raise RuntimeError("the request failed after the step")
    assert heard == [] and pending == []
    assert not dispatched.events.filter(action="note").exists()


def test_other_actions_are_not_heard(heard, dispatched, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.urge(dispatched, by=people["zuoxi"])
    assert heard == []


def test_a_failing_subscriber_is_logged_and_harms_nothing(
    heard, dispatched, people, django_capture_on_commit_callbacks, caplog
):
    def broken(case, step):
        Case.objects.filter(pk=case.pk).update(title="被改坏")  # rolled back with it
        raise ValueError("boom")

    workflow.subscribe("note", broken)
    try:
        with (
            caplog.at_level(logging.ERROR, logger="jiesu.cases.workflow"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            workflow.note(dispatched, by=people["zuoxi"], text="已电话提醒")
    finally:
        workflow.unsubscribe("note", broken)
    assert len(heard) == 1  # subscribed before the broken one, heard all the same
    dispatched.refresh_from_db()
    assert dispatched.title == "小区门口占道经营"
    assert dispatched.events.filter(action="note").count() == 1
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert "boom" in caplog.text


def test_a_replayed_history_tells_nobody(
    heard, dispatched, people, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as pending,
        workflow.recording(workflow.DatabaseRecorder(publish=False)),
    ):
        workflow.note(dispatched, by=people["zuoxi"], text="演示数据")
    assert heard == [] and pending == []
    assert dispatched.events.filter(action="note").count() == 1


def test_only_known_actions_can_be_subscribed():
    with pytest.raises(ValueError):
        workflow.subscribe("notes", lambda case, step: None)
