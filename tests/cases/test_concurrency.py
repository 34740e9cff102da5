"""Two people act on the same case at the same moment: exactly one wins."""

import threading

import pytest
from django.db import connection

from jiesu.cases import workflow
from jiesu.cases.errors import Conflict
from jiesu.cases.models import Case, CaseEvent, State


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_sign_and_return_race_one_wins(people, make_case, attempt):
    case = make_case()
    barrier = threading.Barrier(2)
    outcomes = {}

    def act(name, fn):
        try:
            mine = Case.objects.select_related("district", "street").get(pk=case.pk)
            barrier.wait(timeout=10)
            fn(mine)
            outcomes[name] = "won"
        except Conflict as err:
            outcomes[name] = err.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=("sign", lambda c: workflow.sign(c, by=people["zuoxi"]))),
        threading.Thread(
            target=act,
            args=(
                "return",
                lambda c: workflow.return_case(c, by=people["zuzhang"], reason="不属于本街道"),
            ),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(v == "won" for v in outcomes.values()) == [False, True], outcomes
    loser = next(v for v in outcomes.values() if v != "won")
    assert "刚被他人处理过" in loser
    case.refresh_from_db()
    winner = next(k for k, v in outcomes.items() if v == "won")
    assert case.state == {"sign": State.ACCEPTED, "return": State.RETURNED}[winner]
    assert case.version == 1
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "receive",
        winner,
    ]
