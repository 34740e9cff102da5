import datetime

from django.db import migrations

# The grounds the 接诉即办条例 itself diverts from normal handling (domain.md).
GROUNDS = [
    ("应由110、119、120、122等处置的紧急事项", ["通话录音", "情况说明"]),
    ("已进入诉讼、仲裁、纪检监察、行政复议、政府信息公开或信访程序", ["受理凭证", "情况说明"]),
    ("重复诉求且无新情况新理由", ["前次工单编号", "通话录音", "情况说明"]),
    ("涉及国家秘密、商业秘密、个人隐私", ["情况说明", "法律依据"]),
    ("超出本单位职责范围", ["职责依据", "情况说明"]),
    ("违反法律法规或公序良俗", ["通话录音", "法律依据", "情况说明"]),
    ("恶意重复来电", ["来电记录", "通话录音", "情况说明"]),
]


def create(apps, schema_editor):
    ScoringRule = apps.get_model("assessment", "ScoringRule")
    ExemptionGround = apps.get_model("assessment", "ExemptionGround")
    if not ScoringRule.objects.exists():
        ScoringRule.objects.create(effective_from=datetime.date(2021, 9, 24))
    for name, checklist in GROUNDS:
        ExemptionGround.objects.get_or_create(name=name, defaults={"checklist": checklist})


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
