"""Who may list the reveal log (PiiAccess): a 组长 or an administrator, the reveals on the
cases of their units."""

from django.contrib.auth.models import User

from jiesu.core.models import PiiAccess
from jiesu.org.access import Reach
from jiesu.org.models import Membership, Role


def test_reveals_are_listed_for_leaders_and_administrators_of_the_case(people, org, make_case):
    here = make_case()
    there = make_case(street=org["other_street"], community=org["elsewhere"])
    mine = PiiAccess.objects.create(user=people["zuoxi"], case=here, field="caller_phone")
    theirs = PiiAccess.objects.create(user=people["outsider"], case=there, field="caller_name")
    chief = User.objects.create_user(username="quzhang")
    Membership.objects.create(user=chief, unit=org["district"], role=Role.LEADER)

    def listed(user):
        return set(PiiAccess.objects.visible_to(Reach(user)))

    assert listed(people["zuzhang"]) == {mine}
    assert listed(people["admin"]) == {mine}
    assert listed(chief) == {mine, theirs}
    # those who reveal do not read the log, nor does anyone else
    for name in ("zuoxi", "shenhe", "shequ", "ducha", "outsider"):
        assert listed(people[name]) == set(), name
