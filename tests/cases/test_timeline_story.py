from jiesu.cases import queries, workflow
from jiesu.cases.presenters import event_story
from tests.conftest import at


def test_the_timeline_reads_as_sentences(org, people, dispatched):
    people["shequ"].first_name = "李红"
    people["shequ"].save()
    workflow.contact(
        dispatched,
        by=people["shequ"],
        contact_at=at("2026-03-02 10:05"),
        way="电话",
        at=at("2026-03-02 10:10"),
    )
    workflow.request_extension(
        dispatched,
        by=people["shequ"],
        until=at("2026-03-12 18:00"),
        reason="需协调物业",
        at=at("2026-03-04 09:00"),
    )
    workflow.redispatch(
        dispatched,
        by=people["zuoxi"],
        lead_unit=org["office"],
        co_units=[org["hly"]],
        reason="需执法",
        at=at("2026-03-03 09:00"),
    )
    stories = [event_story(e) for e in queries.timeline(dispatched)]
    assert stories == [
        "系统 从市级平台接收工单",
        "zuoxi 签收",
        "zuoxi 派单给主办“华龙苑南里社区”",
        "李红 于03月02日 10:05通过电话联系了诉求人",
        "zuoxi 从“华龙苑南里社区”改派给主办“城市管理科”,协办“华龙苑南里社区”",
        "李红 申请延期至03月12日 18:00",
    ]
