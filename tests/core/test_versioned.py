"""Effective-dated settings: the row in force on a day, the defaults before the first row,
and a cache that a saved or deleted row empties."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models.signals import post_delete, post_save

from jiesu.assessment import rules
from jiesu.assessment.models import ScoringRule
from jiesu.cases import deadlines
from jiesu.cases.models import DayMode, DeadlinePolicy
from jiesu.core import versioned
from jiesu.core.caching import REFRESH_SECONDS

JAN, JUNE = dt.date(2026, 1, 1), dt.date(2026, 6, 19)


@pytest.fixture
def scoring(db):
    ScoringRule.objects.all().delete()
    return (
        ScoringRule.objects.create(effective_from=JAN, weight_response=Decimal("0.10")),
        ScoringRule.objects.create(effective_from=JUNE, weight_response=Decimal("0.20")),
    )


@pytest.fixture
def policies(db):
    DeadlinePolicy.objects.all().delete()
    return (
        DeadlinePolicy.objects.create(effective_from=JAN, ordinary_days=7),
        DeadlinePolicy.objects.create(
            effective_from=JUNE, ordinary_days=5, day_mode=DayMode.WORKING
        ),
    )


def test_the_rule_changes_on_its_effective_day(scoring):
    old, new = scoring
    assert versioned.in_force_on(ScoringRule, dt.date(2026, 6, 18)) == old
    assert versioned.in_force_on(ScoringRule, JUNE) == new
    assert versioned.in_force_on(ScoringRule, JAN) == old
    assert versioned.in_force_on(ScoringRule, dt.date(2030, 1, 1)) == new
    assert rules.rule_on(dt.date(2026, 6, 18)).weight_response == Decimal("0.10")
    assert rules.rule_on(JUNE).weight_response == Decimal("0.20")


def test_the_time_limits_change_on_their_effective_day(policies):
    assert deadlines.policy_on(dt.date(2026, 6, 18)).ordinary_days == 7
    assert deadlines.policy_on(dt.date(2026, 6, 18)).day_mode == DayMode.NATURAL
    assert deadlines.policy_on(JUNE).ordinary_days == 5
    assert deadlines.policy_on(JUNE).day_mode == DayMode.WORKING


def test_before_the_first_row_the_built_in_defaults(scoring, policies):
    day = dt.date(2025, 12, 31)
    rule = versioned.in_force_on(ScoringRule, day)
    assert rule.pk is None and rule.effective_from == dt.date.min
    assert (rule.weight_response, rule.weight_resolution) == (Decimal("0.10"), Decimal("0.50"))
    assert rule.period_start_day == 19
    policy = deadlines.policy_on(day)
    assert policy.pk is None
    assert (policy.sign_minutes, policy.ordinary_days) == (30, 7)
    assert policy.supervision_hours == [2, 24, 168]


def test_rows_are_read_once_until_one_is_saved(scoring, django_assert_num_queries):
    old, new = scoring
    versioned.clear()
    with django_assert_num_queries(1):
        versioned.in_force_on(ScoringRule, JUNE)
        versioned.in_force_on(ScoringRule, JAN)
    # a change behind the model's back (no signal) is not seen: the rows are cached
    ScoringRule.objects.filter(pk=new.pk).update(weight_response=Decimal("0.30"))
    assert versioned.in_force_on(ScoringRule, JUNE).weight_response == Decimal("0.20")
    # a saved row empties the cache
    old.weight_response = Decimal("0.15")
    old.save()
    assert versioned.in_force_on(ScoringRule, JUNE).weight_response == Decimal("0.30")
    assert versioned.in_force_on(ScoringRule, dt.date(2026, 6, 18)).weight_response == Decimal(
        "0.15"
    )


def test_a_new_or_deleted_row_is_in_force_at_once(scoring, policies):
    assert deadlines.policy_on(dt.date(2026, 3, 1)).ordinary_days == 7
    march = DeadlinePolicy.objects.create(effective_from=dt.date(2026, 3, 1), ordinary_days=6)
    assert deadlines.policy_on(dt.date(2026, 3, 1)).ordinary_days == 6
    assert deadlines.policy_on(dt.date(2026, 2, 28)).ordinary_days == 7
    march.delete()
    assert deadlines.policy_on(dt.date(2026, 3, 1)).ordinary_days == 7
    # one model's change leaves the other's rows cached
    versioned.in_force_on(ScoringRule, JUNE)
    held = versioned.history(ScoringRule)
    DeadlinePolicy.objects.create(effective_from=dt.date(2026, 4, 1))
    assert versioned.history(ScoringRule) is held


def test_a_change_in_another_process_arrives_after_the_interval(scoring, monkeypatch):
    clock = {"now": 1000.0}
    monkeypatch.setattr(versioned.time, "monotonic", lambda: clock["now"])
    versioned.clear()
    versioned.in_force_on(ScoringRule, JUNE)
    ScoringRule.objects.filter(effective_from=JUNE).update(weight_response=Decimal("0.30"))
    clock["now"] += REFRESH_SECONDS - 1
    assert versioned.in_force_on(ScoringRule, JUNE).weight_response == Decimal("0.20")
    clock["now"] += 2
    assert versioned.in_force_on(ScoringRule, JUNE).weight_response == Decimal("0.30")


def test_the_periods_follow_a_new_start_day(scoring):
    assert rules.period_bounds("2026-10")[0].date() == dt.date(2026, 9, 19)
    ScoringRule.objects.create(effective_from=dt.date(2026, 9, 1), period_start_day=21)
    assert rules.period_bounds("2026-10")[0].date() == dt.date(2026, 9, 21)


def test_every_effective_dated_model_is_watched(db):
    """The cache is emptied by the helper's own receivers, whatever else the apps connect."""
    from jiesu.supervision.models import ChaseRule

    watched = {m for m in apps.get_models() if issubclass(m, versioned.EffectiveDated)}
    assert watched == {ScoringRule, DeadlinePolicy, ChaseRule}
    for model in watched:
        uid = f"jiesu-versioned-{model._meta.label_lower}"
        for signal in (post_save, post_delete):
            assert signal.disconnect(sender=model, dispatch_uid=uid)
            signal.connect(versioned._changed, sender=model, dispatch_uid=uid)
