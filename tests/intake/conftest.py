"""Platform exports built in the tests, as the platforms write them."""

import csv

import pytest
from openpyxl import Workbook

HEADER = [
    "工单编号",
    "工单类型",
    "问题分类",
    "标签",
    "标题",
    "主要内容",
    "工单状态",
    "来电人",
    "来电人电话/账号",
    "来电时间",
    "被反映区",
    "被反映街乡镇",
    "村/社区",
    "小区点位/问题点位",
    "主办单位",
    "办理时限/截止时间",
    "是否有效回访",
    "是否联系",
    "是否解决",
    "是否满意",
]


def export_row(n: int, **over) -> list:
    row = {
        "工单编号": f"2026030200{n:04d}",
        "工单类型": "投诉",
        "问题分类": "城乡建设->市容环卫->占道经营",
        "标签": "每月一题",
        "标题": f"华龙苑南里东门占道经营 {n}",
        "主要内容": f"来电人反映华龙苑南里东门晚上有商贩占道经营,第{n}次反映。",
        "工单状态": "处理中",
        "来电人": "张三",
        "来电人电话/账号": "13812341234",
        "来电时间": "2026-03-02 09:15:00",
        "被反映区": "昌平区",
        "被反映街乡镇": "霍营街道",
        "村/社区": "华龙苑南里社区",
        "小区点位/问题点位": "华龙苑南里东门",
        "主办单位": "霍营街道",
        "办理时限/截止时间": "2026-03-09 09:15:00",
        "是否有效回访": "",
        "是否联系": "",
        "是否解决": "",
        "是否满意": "",
    }
    row.update(over)
    return [row[h] for h in HEADER]


@pytest.fixture
def write_xlsx(tmp_path):
    def write(rows, name="export.xlsx", header=HEADER):
        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        path = tmp_path / name
        book.save(path)
        return path

    return write


@pytest.fixture
def write_csv(tmp_path):
    def write(rows, name="export.csv", encoding="utf-8-sig", header=HEADER):
        path = tmp_path / name
        with open(path, "w", encoding=encoding, newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write
