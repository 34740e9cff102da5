"""Words for the demo cases: callers, what they say, and what the office writes back."""

import random

from jiesu.demo.topics import Topic

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁"
    "魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志新宇浩然欣怡子涵晨阳文博思雨佳琪海燕春雷凤云鹏飞雪松淑珍庆德"
SPOTS = (
    "东门",
    "西门",
    "南门",
    "北门",
    "正门口",
    "小广场",
    "地下车库入口",
    "快递柜旁边",
    "垃圾站旁边",
    "底商门前",
    "幼儿园门口",
    "中心花园",
    "篮球场旁边",
    "便民菜站门口",
)
ROADS = ("回龙观东大街", "黄平路", "育知东路", "回南北路")
STATIONS = ("霍营地铁站", "回龙观东大街地铁站", "育知路地铁站")
WHEN = (
    "每天晚上",
    "每天凌晨",
    "每天早上六点多",
    "一到周末",
    "晚上十点以后",
    "每天中午",
    "每天傍晚",
    "最近几天晚上",
    "夜里十二点多",
)
TIME = ("今天早上", "今天上午", "今天中午", "今天下午", "昨天晚上", "今天凌晨", "刚才")
SHOPS = ("烧烤店", "饭馆", "超市", "理发店", "麻辣烫店", "水果店", "便利店", "火锅店", "小吃店")

PHONE_OPENINGS = (
    "来电人反映：",
    "市民来电反映，",
    "居民来电称，",
    "来电人表示，",
    "诉求人来电反映：",
)
WEB_OPENINGS = ("网友留言反映：", "市民通过网络反映：", "诉求人留言称：")
GROUP_OPENING = "多户居民集体反映，"
SINCE = (
    "这种情况已经持续一个多星期了。",
    "已经有半个多月了。",
    "从上个月开始一直这样。",
    "最近三四天天天如此。",
    "之前已经反映过两次，一直没有解决。",
    "已经快两个月了。",
    "跟物业说过好几次，没有人管。",
    "去年也反映过，今年又出现了。",
)
EXTRAS = (
    "附近居民意见很大。",
    "家里有老人和孩子，实在受不了。",
    "来电人情绪比较激动。",
    "来电人称已向物业反映，物业表示不归其管理。",
    "来电人可提供现场照片。",
)
WANTS = {
    "complaint": (
        "希望相关部门尽快处理。",
        "要求尽快解决。",
        "请街道协调处理。",
        "希望有关部门到现场看一看，彻底解决。",
        "希望尽快安排人员处理，并给予回复。",
        "希望加强管理，避免再次发生。",
        "请相关部门给个说法。",
        "希望街道重视，尽快解决。",
    ),
    "help": ("请求帮助。", "希望街道帮忙协调。", "希望尽快派人处理。", "请相关部门帮忙解决。"),
    "report": ("请相关部门依法查处。", "要求依法处理。", "希望执法部门尽快核查。"),
    "consult": (
        "请给予解答。",
        "希望得到答复。",
        "请相关部门告知办理流程。",
        "请工作人员回电说明。",
    ),
    "suggestion": ("希望相关部门予以采纳。", "请相关部门研究。", "建议有关部门统筹考虑。"),
    "praise": ("特此表扬。", "希望转达感谢。"),
}

FACTS = (
    "经核实，诉求人反映的情况属实。",
    "经工作人员现场核实，{where}确实存在该问题。",
    "经现场查看，情况基本属实。",
    "接单后工作人员第一时间与诉求人取得联系，了解了具体情况。",
)
RESULTS = {
    "solved": ("问题已解决。", "已整改完毕，现场已恢复正常。", "已办理完毕。"),
    "partly": ("问题已部分解决，剩余问题将持续跟进。", "已采取临时措施，根本解决需进一步协调。"),
    "unsolved": (
        "因涉及多方协调，暂时无法彻底解决，已向诉求人做好解释。",
        "该问题需纳入下一年度计划统筹解决，已向诉求人解释说明。",
    ),
}
RESPONSES = {
    "solved": ("诉求人表示满意。", "诉求人对处理结果表示认可。", "诉求人表示感谢。"),
    "partly": ("诉求人表示基本满意。", "诉求人表示理解，希望尽快彻底解决。"),
    "unsolved": ("诉求人表示理解。", "诉求人对处理结果不认可。"),
}
DESK_ANSWER = "经接诉中心工作人员电话答复，已告知来电人相关政策和办理渠道，来电人表示知晓。"
REASONS = {
    "return": (
        "诉求地点位于回龙观街道辖区，不属于霍营街道，申请退回。",
        "诉求点位在龙泽园街道辖区，请重新派发。",
        "该诉求涉及治安案件，属于公安机关职责，建议转110处理。",
        "诉求人反映的是与房东之间的租赁合同纠纷，应通过司法途径解决。",
        "该事项已进入诉讼程序，依据条例不属于接诉即办受理范围。",
        "诉求涉及的企业注册地在海淀区，不属于本辖区管理。",
    ),
    "dispute": (
        "经社区实地核实，诉求点位位于回龙观街道辖区，申请派单异议。",
        "经核实，该路段由区城管委直管，不属于街道职责，提出派单异议。",
        "诉求人所述小区不在霍营街道辖区内，申请异议。",
    ),
    "dispute_note": (
        "经实地核实，诉求点位不在本单位辖区。",
        "已与诉求人电话确认，实际地点在回龙观街道。",
    ),
    "dispatch": (
        "",
        "请尽快联系诉求人核实处理。",
        "请按时限办结并上传现场照片。",
        "重点诉求，请负责人关注。",
    ),
    "approve_dispatch": (
        "同意派单，请主办单位牵头，协办单位配合。",
        "群体性诉求，同意派单，请各单位高度重视。",
    ),
    "redispatch": (
        "经核实该问题不属于原承办单位职责，改派{unit}办理。",
        "原承办单位反馈职责不符，改派{unit}。",
    ),
    "contact": (
        "已电话联系诉求人，了解了具体情况，约定上门查看。",
        "已与诉求人沟通，告知了处理计划。",
        "上门查看现场并与诉求人面谈。",
    ),
    "urge": (
        "请尽快联系诉求人并反馈办理进展。",
        "该工单即将到期，请抓紧办理。",
        "请于今日下班前反馈办理结果。",
    ),
    "late": ("已超时，请立即办理并说明原因。", "工单已超期，请加快办理。"),
    "supervise": (
        "区级督办：请街道高度重视，限期办结并报送办理情况。",
        "该问题为重复诉求，请街道主要领导督办，务必解决到位。",
    ),
    "extend": (
        "需协调产权单位共同处理，申请延期。",
        "维修材料需要采购，预计到货后完成，申请延期。",
        "涉及多个部门，需召开协调会研究，申请延期。",
        "施工受天气影响，申请延期。",
    ),
    "refuse_extension": ("延期理由不充分，请按原时限办结。",),
    "approve": ("", "", "回复完整，同意办结。", "同意。"),
    "reject": (
        "回复内容未体现与诉求人沟通的情况，请补充。",
        "办理结果与诉求不对应，请重新核实办理。",
        "缺少现场整改照片，请补充后重新提交。",
        "回复过于简单，请写明具体措施和完成时间。",
    ),
    "reopen": (
        "回访诉求人表示问题未解决，重新办理。",
        "诉求人对办理结果不满意，要求重新处理。",
        "回访中诉求人反映问题反弹，重新派单办理。",
    ),
    "shelve": (
        "涉及历史遗留问题，需纳入老旧小区改造计划统筹解决，申请挂账。",
        "需市级部门审批立项，短期内无法解决，申请挂账。",
        "涉及产权纠纷，正在走司法程序，申请挂账。",
    ),
    "progress": (
        "挂账进展：本月已与产权单位对接，正在制定方案。",
        "挂账进展：方案已报区相关部门审批。",
        "挂账进展：已完成前期勘察，等待资金批复。",
        "挂账进展：本月继续协调，暂无实质进展，已告知诉求人。",
        "挂账进展：项目已列入年度计划。",
    ),
    "unshelve": ("项目已立项实施，转入正常办理。", "相关审批已完成，恢复办理。"),
}


def estate(community_name: str) -> str:
    """华龙苑南里社区 → 华龙苑南里: how people name the place they live."""
    return community_name.removesuffix("社区")


def context(rng: random.Random, community_name: str) -> dict:
    """The fragments one case's texts are filled with."""
    return {
        "c": estate(community_name),
        "spot": rng.choice(SPOTS),
        "b": f"{rng.randint(1, 32)}号楼",
        "u": rng.randint(1, 6),
        "road": rng.choice(ROADS),
        "station": rng.choice(STATIONS),
        "when": rng.choice(WHEN),
        "time": rng.choice(TIME),
        "shop": rng.choice(SHOPS),
    }


def caller(rng: random.Random, ctx: dict) -> dict:
    """A citizen: name, mobile number and home address."""
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    floor = rng.randint(1, 18)
    return {
        "caller_name": rng.choice(SURNAMES) + given,
        "caller_phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
        "address": f"{ctx['c']}{ctx['b']}{ctx['u']}单元{floor}{rng.randint(1, 4):02d}",
    }


def complaint(
    rng: random.Random, topic: Topic, ctx: dict, *, request: str, web: bool, group: bool
) -> tuple[str, str]:
    """Title and content of what the citizen says."""
    *titles, problem = rng.choice(topic.says)
    parts = [rng.choice(WEB_OPENINGS if web else PHONE_OPENINGS)]
    if group:
        parts.append(GROUP_OPENING)
    parts.append(problem.format(**ctx))
    if topic.recurring and rng.random() < 0.5:
        parts.append(rng.choice(SINCE))
    if request != "praise" and rng.random() < 0.25:
        parts.append(rng.choice(EXTRAS))
    parts.append(rng.choice(WANTS.get(request, WANTS["complaint"])))
    return rng.choice(titles).format(**ctx), "".join(parts)


def reply_parts(rng: random.Random, topic: Topic, ctx: dict, where: str, outcome: str) -> dict:
    """The five parts of a unit's reply (without the contact time)."""
    return {
        "contact_way": rng.choice(("电话", "电话", "电话", "上门", "微信")),
        "facts": rng.choice(FACTS).format(where=where),
        "actions": rng.choice(topic.actions).format(**ctx) + "。",
        "result": rng.choice(RESULTS[outcome]),
        "citizen_response": rng.choice(RESPONSES[outcome]),
    }


def reason(rng: random.Random, kind: str, **values) -> str:
    text = rng.choice(REASONS[kind])
    return text.format(**values) if values else text
