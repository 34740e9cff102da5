"""The paste parser: case texts as copied from 12345 pages, in the layouts they come in."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiesu.intake.paste import parse

LOCAL = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL)


STALLS = ("城乡建设", "市容环卫", "占道经营")


def test_colon_list_with_page_furniture_and_multiline_content():
    text = """北京市12345市民服务热线
工单详情
工单编号:2026030200123
来电时间:2026-03-02 09:15:00
来电人:王女士
联系电话:13812345678
诉求类型:投诉
问题分类:城乡建设->市容环卫->占道经营
被反映区:昌平区
被反映街乡镇:霍营街道
村/社区:华龙苑南里社区
小区点位:华龙苑南里
详细地址:华龙苑南里东门外
诉求内容:来电人反映,华龙苑南里东门外每天晚上有商贩占道经营,
噪音很大,垃圾遍地。

希望相关部门尽快处理。
办理时限:7天
工单状态:待签收
打印  关闭
"""
    parsed = parse(text)
    assert parsed.fields == {
        "platform_no": "2026030200123",
        "received_at": at("2026-03-02 09:15"),
        "caller_name": "王女士",
        "caller_phone": "13812345678",
        "request_type": "complaint",
        "category_path": STALLS,
        "district_name": "昌平区",
        "street_name": "霍营街道",
        "community_name": "华龙苑南里社区",
        "address": "华龙苑南里东门外",
        "content": "来电人反映,华龙苑南里东门外每天晚上有商贩占道经营,\n噪音很大,垃圾遍地。\n\n"
        "希望相关部门尽快处理。",
        "limit_days": 7,
    }
    assert parsed.raw["小区点位"] == "华龙苑南里"
    assert parsed.raw["工单状态"] == "待签收"
    assert parsed.unused == ["北京市12345市民服务热线", "工单详情", "打印  关闭"]
    assert parsed.warnings == []


def test_tab_table_with_two_pairs_a_row():
    text = (
        "工单编号\t2026030200456\t来电时间\t2026/3/2 9:15\n"
        "来电人\t李先生\t联系电话\t139 1234 5678\n"
        "诉求类型\t求助\t问题分类\t城乡建设/市容环卫/垃圾清运\n"
        "渠道\t电话\t紧急程度\t一般\n"
        "被反映街乡镇\t霍营街道\t村/社区\t小辛庄村\n"
        "诉求内容\t小辛庄村西口垃圾桶满溢三天无人清运,气味很大。\t\n"
    )
    parsed = parse(text)
    assert parsed.fields == {
        "platform_no": "2026030200456",
        "received_at": at("2026-03-02 09:15"),
        "caller_name": "李先生",
        "caller_phone": "13912345678",
        "request_type": "help",
        "category_path": ("城乡建设", "市容环卫", "垃圾清运"),
        "channel": "phone",
        "urgency": "ordinary",
        "street_name": "霍营街道",
        "community_name": "小辛庄村",
        "content": "小辛庄村西口垃圾桶满溢三天无人清运,气味很大。",
    }
    assert parsed.unused == [] and parsed.warnings == []


def test_label_and_value_on_alternating_lines():
    text = """工单编号

2026030200789

来电时间

2026年3月2日 9时15分

诉求人

赵女士

渠道
电话

诉求内容
华龙苑南里12号楼3单元楼道灯坏了一个星期,
老人晚上上下楼很危险。

办理时限
24小时
"""
    parsed = parse(text)
    assert parsed.fields == {
        "platform_no": "2026030200789",
        "received_at": at("2026-03-02 09:15"),
        "caller_name": "赵女士",
        "channel": "phone",
        "content": "华龙苑南里12号楼3单元楼道灯坏了一个星期,\n老人晚上上下楼很危险。",
        "limit_hours": 24,
    }
    assert parsed.unused == []
    assert parsed.warnings == ["没有找到诉求类型,请手工填写。"]


def test_header_row_over_a_row_of_values():
    text = (
        "工单编号\t企业名称\t来电人\t联系电话\n"
        "2026030200999\t\t刘先生\t010-8888 6666\n"
        "\n"
        "来电时间\t诉求类型\t一级分类\t二级分类\t三级分类\n"
        "2026-03-02T08:05\t咨询\t城乡建设\t市容环卫\t占道经营\n"
        "诉求内容:咨询霍营街道办事处周末是否办理居住证。\n"
    )
    parsed = parse(text)
    assert parsed.fields == {
        "platform_no": "2026030200999",
        "caller_name": "刘先生",
        "caller_phone": "010-8888 6666",
        "received_at": at("2026-03-02 08:05"),
        "request_type": "consult",
        "category_path": STALLS,
        "content": "咨询霍营街道办事处周末是否办理居住证。",
    }
    assert parsed.raw["企业名称"] == ""
    assert parsed.warnings == ["联系电话“010-8888 6666”不是11位手机号,请核对。"]


def test_bracketed_labels():
    text = """【工单编号】2026030201010【来电时间】2026-03-02 10:30
【来电人】陈先生【来电号码】13600001111
【工单类型】建议
【标题】建议华龙苑南里增设电动自行车充电桩
【主要内容】华龙苑南里社区电动自行车多,充电难,
经常有人飞线充电,存在安全隐患。
【办理时限】2个工作日
"""
    parsed = parse(text)
    assert parsed.fields == {
        "platform_no": "2026030201010",
        "received_at": at("2026-03-02 10:30"),
        "caller_name": "陈先生",
        "caller_phone": "13600001111",
        "request_type": "suggestion",
        "title": "建议华龙苑南里增设电动自行车充电桩",
        "content": "华龙苑南里社区电动自行车多,充电难,\n经常有人飞线充电,存在安全隐患。",
        "limit_days": 2,
    }
    assert parsed.warnings == [
        "办理时限“2个工作日”按2天填写;按自然日还是工作日计算取决于时限设置,请核对。"
    ]


def test_several_fields_on_one_line():
    text = (
        "工单编号:2026030201001 来电时间:2026-03-02 09:15 来电人:孙先生 电话:13600002222 "
        "类型:举报 地址:霍营街道华龙苑北里2号楼 诉求内容:举报2号楼底商违规在楼道内存放液化气罐。\n"
    )
    parsed = parse(text)
    assert parsed.fields == {
        "platform_no": "2026030201001",
        "received_at": at("2026-03-02 09:15"),
        "caller_name": "孙先生",
        "caller_phone": "13600002222",
        "request_type": "report",
        "address": "霍营街道华龙苑北里2号楼",
        "content": "举报2号楼底商违规在楼道内存放液化气罐。",
    }
    assert parsed.warnings == [] and parsed.unused == []


def test_full_width_digits_colons_and_semicolons():
    text = """工单编号：２０２６０３０２０１００２
来电时间：２０２６年３月２日　下午３时０５分
反映人：周女士；联系电话：１３７００００２２２２；
诉求类型：投诉
紧急程度：紧急（2小时）
企业名称：
问题描述：霍营地铁站Ｃ口外有黑车揽客，影响通行。
"""
    parsed = parse(text)
    assert parsed.fields == {
        "platform_no": "2026030201002",
        "received_at": at("2026-03-02 15:05"),
        "caller_name": "周女士",
        "caller_phone": "13700002222",
        "request_type": "complaint",
        "urgency": "emergency",
        "content": "霍营地铁站Ｃ口外有黑车揽客，影响通行。",
    }
    assert parsed.raw["企业名称"] == ""
    assert parsed.warnings == []


def test_labels_with_spaces_inside_and_space_separated_values():
    text = """工 单 编 号:2026030201003
来 电 时 间    2026-03-02 10:20
来 电 人    吴先生
联 系 电 话    13500003333
诉 求 类 型    咨 询
问 题 分 类    城乡建设 > 市容环卫 > 占道经营
诉 求 内 容
咨询华龙苑南里早市的营业时间。
"""
    parsed = parse(text)
    assert parsed.fields == {
        "platform_no": "2026030201003",
        "received_at": at("2026-03-02 10:20"),
        "caller_name": "吴先生",
        "caller_phone": "13500003333",
        "request_type": "consult",
        "category_path": STALLS,
        "content": "咨询华龙苑南里早市的营业时间。",
    }
    assert set(parsed.raw) == {
        "工单编号",
        "来电时间",
        "来电人",
        "联系电话",
        "诉求类型",
        "问题分类",
        "诉求内容",
    }
    assert parsed.warnings == []


def test_missing_fields_are_named():
    text = "编号:2026030201004\n反映内容:回龙观东大街华龙苑南里段路灯不亮。\n"
    parsed = parse(text)
    assert parsed.fields == {
        "platform_no": "2026030201004",
        "content": "回龙观东大街华龙苑南里段路灯不亮。",
    }
    assert parsed.warnings == ["没有找到来电时间,请手工填写。", "没有找到诉求类型,请手工填写。"]


def test_doubtful_values_become_warnings_never_guesses():
    text = """工单编号:2026030201005
来电时间:2026-03-02
派单时间:2026-03-02 11:00
来电人:吴先生
来电人:吴二
联系电话:138****5678
手机:13900001111、13900002222
诉求类型:投诉举报
紧急程度:看情况
截止时间:2026-03-09
诉求内容:华龙苑南里小区内有人私搭乱建。
"""
    parsed = parse(text)
    assert parsed.fields == {
        "platform_no": "2026030201005",
        "received_at": at("2026-03-02 11:00"),
        "caller_name": "吴先生",
        "caller_phone": "13900001111",
        "content": "华龙苑南里小区内有人私搭乱建。",
    }
    assert parsed.warnings == [
        "来电时间“2026-03-02”只有日期没有时刻,请补全来电时间。",
        "来电人出现多次且不一致(“吴先生”“吴二”),已取第一个,请核对。",
        "联系电话“138****5678”已被遮挡,请从平台查看完整号码后填写。",
        "手机“13900001111、13900002222”有多个号码,已取第一个“13900001111”,请核对。",
        "诉求类型“投诉举报”可理解为投诉、举报,请手工选择。",
        "无法识别紧急程度“看情况”,请手工选择。",
        "截止时间“2026-03-09”只有日期没有时刻,请手工填写截止时间。",
    ]


def test_received_time_prefers_call_time_and_due_time_is_kept():
    text = """首页 > 工单管理 > 待签收
派单时间:2026-03-02 11:40
受理时间:2026-03-02 11:02
工单号:2026030201006
工单类型:求决类
事项分类:城乡建设-市容环卫-占道经营
事发地址:华龙苑南里东门
来电内容:东门外早市散市后垃圾无人清扫。
截止时间:2026-03-09 11:40
来源:12345网站
下一条
"""
    parsed = parse(text)
    assert parsed.fields == {
        "received_at": at("2026-03-02 11:02"),
        "platform_no": "2026030201006",
        "request_type": "help",
        "category_path": STALLS,
        "address": "华龙苑南里东门",
        "content": "东门外早市散市后垃圾无人清扫。",
        "platform_due_at": at("2026-03-09 11:40"),
        "channel": "web",
    }
    assert parsed.unused == ["首页 > 工单管理 > 待签收", "下一条"]
    assert parsed.warnings == []


def test_a_header_row_without_its_values_is_reported():
    text = "工单编号\t来电时间\n诉求内容:小辛庄村西侧道路有大坑。\n"
    parsed = parse(text)
    assert parsed.fields == {"content": "小辛庄村西侧道路有大坑。"}
    assert (
        parsed.warnings[0]
        == "表头“工单编号、来电时间”下面没有列数相同的一行数据,这几项未能读取,请手工填写。"
    )


def test_content_runs_to_the_next_known_label_and_flags_lookalikes():
    text = """诉求内容:华龙苑南里东门外有人占道经营。
请尽快处理。
来电人诉求:取缔。
是否公开:否
回复方式:电话
来电人:王女士
"""
    parsed = parse(text)
    assert (
        parsed.fields["content"]
        == "华龙苑南里东门外有人占道经营。\n请尽快处理。\n来电人诉求:取缔。"
    )
    assert parsed.fields["caller_name"] == "王女士"
    assert parsed.raw["是否公开"] == "否" and parsed.raw["回复方式"] == "电话"
    assert parsed.warnings[0] == (
        "诉求内容中的“来电人诉求:取缔。”像是另一个字段,已作为诉求内容的一部分,请核对。"
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("7天", {"limit_days": 7}),
        ("七天", {"limit_days": 7}),
        ("15个自然日", {"limit_days": 15}),
        ("二十四小时", {"limit_hours": 24}),
        ("2小时", {"limit_hours": 2}),
        ("2026-03-09 18:00", {"platform_due_at": at("2026-03-09 18:00")}),
        ("尽快", {}),
    ],
)
def test_limits(value, expected):
    fields = parse(f"办理时限:{value}").fields
    assert {k: v for k, v in fields.items() if k != "platform_no"} == expected


@given(st.text())
def test_any_text_parses_without_error(text):
    parse(text)
