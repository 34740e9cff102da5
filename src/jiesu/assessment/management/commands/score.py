"""`jiesu score --period 2026-10 [--unit ID] [--json]`: the period's scores by unit."""

import json

from django.core.management.base import BaseCommand, CommandError

from jiesu.assessment.queries import BASIS, scores
from jiesu.org.models import Unit, UnitKind
from jiesu.reports.exports import score_text


class Command(BaseCommand):
    help = "计算考核周期内各单位的三率和综合成绩(周期以结束月份命名,如 2026-10)"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)
        parser.add_argument("--unit", type=int, help="上级单位 ID(默认:唯一的街乡镇)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, period, unit, **options):
        if unit:
            parent = Unit.objects.filter(pk=unit).first()
        else:
            streets = Unit.objects.filter(kind=UnitKind.STREET)
            parent = streets.get() if streets.count() == 1 else None
        if parent is None:
            raise CommandError("请用 --unit 指明单位 ID。")
        try:
            result = scores(period, parent)
        except ValueError as err:
            raise CommandError(str(err)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            f"{parent.name} 考核周期 {period}({result['start'][:10]} 至 {result['end'][:10]} 前;"
            f"{BASIS})"
        )
        for row in result["rows"]:
            score = "—" if row["score"] is None else score_text(row["score"])
            self.stdout.write(
                f"  {row['rank'] or '-':>3}  {row['unit']['name']:<12} 受理 {row['received']:>5}"
                f"  办结 {row['closed']:>5}  有效回访 {row['valid']:>5}  综合 {score}"
            )
        pooled = result["pooled"]
        score = "—" if pooled["score"] is None else score_text(pooled["score"])
        self.stdout.write(
            f"  合计:受理 {pooled['received']},办结 {pooled['closed']},综合成绩 {score}"
        )
