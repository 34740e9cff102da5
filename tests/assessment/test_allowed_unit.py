"""Which unit's scores a person may open: a unit in a subtree they hold a grant on, in
force now (org.access.Reach); by default the first unit they are granted."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.http import Http404
from django.utils import timezone

from jiesu.assessment.queries import allowed_unit
from jiesu.cases.errors import RoleRefused
from jiesu.org.access import Reach
from jiesu.org.models import Membership, Role


def test_the_units_in_reach_and_the_first_by_default(org, people):
    reach = Reach(people["zuzhang"])
    assert allowed_unit(reach, None) == org["street"]
    assert allowed_unit(reach, org["hly"].pk) == org["hly"]
    with pytest.raises(RoleRefused, match="无权查看该单位"):
        allowed_unit(reach, org["district"].pk)
    with pytest.raises(RoleRefused, match="无权查看该单位"):
        allowed_unit(reach, org["other_street"].pk)
    with pytest.raises(Http404):
        allowed_unit(reach, 10**9)
    assert allowed_unit(Reach(people["ducha"]), org["other_street"].pk) == org["other_street"]
    assert allowed_unit(Reach(people["shequ"]), None) == org["hly"]


def test_a_grant_out_of_force_reaches_no_unit(client, org, db):
    now = timezone.now()
    cover = User.objects.create_user(username="daiban")
    Membership.objects.create(
        user=cover,
        unit=org["street"],
        role=Role.LEADER,
        valid_from=now - dt.timedelta(days=7),
        valid_to=now - dt.timedelta(days=1),
    )
    with pytest.raises(RoleRefused, match="没有任何单位的权限"):
        allowed_unit(Reach(cover), None)
    during = Reach(cover, at=now - dt.timedelta(days=3))
    assert allowed_unit(during, org["hly"].pk) == org["hly"]
    client.force_login(cover)
    assert client.get("/assessment/", {"unit": org["street"].pk}).status_code == 403
    Membership.objects.filter(user=cover).update(valid_to=now + dt.timedelta(days=1))
    assert client.get("/assessment/", {"unit": org["street"].pk}).status_code == 200
