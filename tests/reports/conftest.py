"""A hand-built street period (2026-10: 2026-09-19 to 2026-10-19) for the report tests."""

import datetime as dt

import pytest

from tests.conftest import at

NOW = at("2026-11-30 10:00")
PII_CONTENT = "来电人张三反映:华龙苑南里东门占道经营,请回电13812341234。"


@pytest.fixture
def street_period(org, people, make_case, closed_case, categories):
    """Period 2026-10 of 霍营街道, with the case of each kind a report counts:

    - 华龙苑南里社区: three closed cases with valid callbacks (solved and satisfied twice,
      partly solved and basically satisfied once), the first on 占道经营;
    - 小辛庄村: one closed case with a valid callback not contacted, unsolved, unsatisfied;
    - 城市管理科: one dispatched case still open, long past its due time on NOW;
    - one case received and returned to the platform (垃圾清运), one received and left
      waiting whose content repeats the caller's name and phone;
    - one case of period 2026-09 (received 09-18 23:00), closed in 2026-10.
    """
    from jiesu.cases import workflow
    from jiesu.cases.models import Case

    made = {
        "hly1": closed_case("hly", "2026-10-05 09:00", valid=True),
        "hly2": closed_case("hly", "2026-10-06 09:00", valid=True),
        "hly3": closed_case(
            "hly", "2026-10-07 09:00", valid=True, solved="partly", satisfaction="basic"
        ),
        "xyy": closed_case(
            "xyy",
            "2026-09-20 10:00",
            valid=True,
            contacted=False,
            solved="unsolved",
            satisfaction="unsatisfied",
        ),
        "before": closed_case("hly", "2026-09-18 23:00"),
    }
    Case.objects.filter(pk=made["hly1"].pk).update(category=categories["stalls"], location="东门")
    open_case = make_case(received_at=at("2026-10-10 09:00"), location="东门")
    workflow.sign(open_case, by=people["zuoxi"], at=at("2026-10-10 09:10"))
    workflow.dispatch(
        open_case, by=people["zuoxi"], lead_unit=org["office"], at=at("2026-10-10 09:30")
    )
    made["open"] = open_case
    returned = make_case(received_at=at("2026-10-12 14:00"), category=categories["garbage"])
    workflow.sign(returned, by=people["zuoxi"], at=at("2026-10-12 15:00"))
    workflow.return_case(
        returned, by=people["zuoxi"], reason="不属本街道管辖", at=at("2026-10-12 15:30")
    )
    made["returned"] = returned
    made["pii"] = make_case(received_at=at("2026-10-15 08:00"), content=PII_CONTENT)
    for case in made.values():
        case.refresh_from_db()
    assert made["open"].due_at < NOW - dt.timedelta(days=30)
    return made
