"""Fixtures of the assessment tests."""

import pytest

from tests.conftest import at


@pytest.fixture
def decided(people):
    """An application for `case` of period 2026-10 already in `state` (默认 通过), made
    directly: these tests are about what it does to the scores, not about its steps."""
    from jiesu.assessment.models import Application, ExemptionGround

    ground, _ = ExemptionGround.objects.get_or_create(name="恶意重复来电")

    def make(case, state="passed", kind="exemption"):
        return Application.objects.create(
            case=case,
            kind=kind,
            ground=ground,
            explanation="同一来电人一日内重复来电十次",
            period="2026-10",
            deadline=at("2026-10-15 18:00"),
            created_by=people["zuoxi"],
            state=state,
        )

    return make


def set_worst_callback(case_pk: int) -> None:
    """Give a case the worst valid callback, directly (as the risk list assumes)."""
    from jiesu.cases.models import Case

    Case.objects.filter(pk=case_pk).update(
        callback_valid=True,
        callback_contacted=False,
        callback_solved="unsolved",
        callback_satisfaction="unsatisfied",
    )
