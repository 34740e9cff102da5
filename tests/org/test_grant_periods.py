"""Grants with a validity period: the database keeps them well-formed."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from jiesu.org.models import Membership, Role
from tests.conftest import at


def test_a_period_must_end_after_it_starts(org):
    user = User.objects.create_user("cover")
    start = at("2026-12-01 08:30")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=user, unit=org["street"], role=Role.OPERATOR, valid_from=start, valid_to=start
        )


def test_one_standing_grant_but_many_shifts(org):
    user = User.objects.create_user("night")
    Membership.objects.create(user=user, unit=org["street"], role=Role.OPERATOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, unit=org["street"], role=Role.OPERATOR)
    for day in (1, 2, 3):  # three night shifts of the same person, desk and role
        start = at(f"2026-12-0{day} 17:30")
        Membership.objects.create(
            user=user,
            unit=org["street"],
            role=Role.OPERATOR,
            valid_from=start,
            valid_to=start + dt.timedelta(hours=15, minutes=30),
        )
    assert Membership.objects.filter(user=user).count() == 4
