"""`jiesu import FILE --platform city|district`: import a platform export."""

import json

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from jiesu.intake.importer import ImportRefused, import_file
from jiesu.intake.labels import Reader, unmapped
from jiesu.org.access import Reach
from jiesu.org.models import Unit, UnitKind


class Command(BaseCommand):
    help = "导入市级或区级平台导出的工单表格(.xlsx/.xls/.csv)"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--platform", required=True, choices=["city", "district"])
        parser.add_argument(
            "--street", help="街乡镇名称或区划代码(可省略:只有一个街乡镇,或取 --user 所在街乡镇)"
        )
        parser.add_argument("--user", help="以该用户的名义导入(流转记录中的操作人)")
        parser.add_argument(
            "--all-or-nothing", action="store_true", help="有任何一行出错则全部不导入"
        )
        parser.add_argument("--json", action="store_true", help="只输出一个 JSON 汇总对象")

    def handle(self, *args, file, platform, street, user, all_or_nothing, **options):
        as_json = options["json"]
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"没有名为“{user}”的用户。")
        streets = Unit.objects.filter(kind=UnitKind.STREET)
        if street:
            streets = streets.filter(Q(name=street) | Q(code=street))
        elif actor is not None:
            # the street the importing user works for, in any role
            mine = Reach(actor).units(kinds=[UnitKind.STREET], granted_kinds=[UnitKind.STREET])
            streets = mine if mine.exists() else streets
        if streets.count() != 1:
            raise CommandError("请用 --street 指明街乡镇(名称或区划代码)。")

        def progress(run):
            if not as_json:
                self.stdout.write(f"  已处理 {run.done_rows}/{run.total_rows} 行")

        try:
            run = import_file(
                file,
                platform=platform,
                street=streets.get(),
                user=actor,
                all_or_nothing=all_or_nothing,
                progress=progress,
            )
        except ImportRefused as err:
            raise CommandError(str(err)) from None
        except FileNotFoundError:
            raise CommandError(f"找不到文件:{file}") from None
        if as_json:
            self.stdout.write(_dumps(run.summary()))
            return
        s = run.summary()
        self.stdout.write(
            f"导入完成:新增 {s['created']},更新 {s['updated']},未变化 {s['unchanged']},"
            f"失败 {s['failed']},有提示 {s['warned']} 行。"
        )
        for item in unmapped(run.unknown_labels, Reader(run.street)):
            meanwhile = f"暂按“{item.value_label}”" if item.value_label else "该项未导入"
            self.stdout.write(
                f"  未识别:{item.field_label}“{item.label}”{item.count} 行,{meanwhile}"
            )
        if run.message:
            self.stdout.write(run.message)
        if s["errors_file"]:
            self.stdout.write(f"错误明细:{s['errors_file']}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
