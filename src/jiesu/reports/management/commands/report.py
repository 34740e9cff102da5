"""`jiesu report daily|weekly|monthly|annual|special|meeting|ledger …`: a report, the
dispatch meeting's pack or a ledger to a file."""

import datetime as dt
import importlib.util

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jiesu.assessment import rules
from jiesu.audit import log as audit_log
from jiesu.cases.errors import RoleRefused
from jiesu.cases.filters import CaseFilter
from jiesu.cases.models import Case
from jiesu.core.scoping import unscoped
from jiesu.org.access import Reach
from jiesu.org.models import Unit
from jiesu.reports import ledgers

DOCUMENTS = ("daily", "weekly", "monthly", "annual", "special", "meeting")
SYSTEM_WHY = "jiesu report ledger without --user: the operator on the server reads every case"


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”格式不对,应为 YYYY-MM-DD。") from None


class Command(BaseCommand):
    help = (
        "生成报告或台账到文件。ledger:按考核周期(--period,以结束月份命名)或受理日期"
        "(--from/--to)导出受理的工单,一件一行;--kind 选台账种类。"
        "不带 --user 时以系统身份导出全部工单,个人信息一律脱敏;"
        "带 --user 时只导出该用户可查看的工单,--reveal 时在其岗位可查看的工单上显示完整"
        "个人信息并记入审计日志。"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[*DOCUMENTS, "ledger"])
        parser.add_argument("--period", help="考核周期,如 2026-11(2026-10-19 至 2026-11-18)")
        parser.add_argument(
            "--date",
            help="日报、周报的日期 YYYY-MM-DD;调度会材料(meeting)为开会日期,"
            "统计开会日期所在周之前最近一个完整的周一至周日(默认今天开会)",
        )
        parser.add_argument("--from", dest="start", help="受理日期从 YYYY-MM-DD(含)")
        parser.add_argument("--to", dest="end", help="受理日期至 YYYY-MM-DD(含)")
        parser.add_argument("--unit", type=int, help="单位 ID(街道、科室或社区)")
        parser.add_argument(
            "--kind",
            dest="ledger_kind",
            default="all",
            choices=list(ledgers.KINDS),
            help="台账种类:all 全部、returned 退回、exempted 不纳入考核及申诉、"
            "shelved 挂账、overdue 超期",
        )
        parser.add_argument("--format", dest="fmt", default="xlsx", choices=["docx", "xlsx", "pdf"])
        parser.add_argument("--out", required=True, help="输出文件")
        parser.add_argument("--user", help="以此用户的权限导出(默认:系统身份,个人信息脱敏)")
        parser.add_argument("--reveal", action="store_true", help="含个人信息(须带 --user)")

    def handle(self, *args, kind, **options):
        if options["period"] and (options["start"] or options["end"]):
            raise CommandError("--period 和 --from/--to 只选一种。")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有用户“{options['user']}”。")
        elif options["reveal"]:
            raise CommandError("--reveal 须带 --user:系统身份导出的个人信息一律脱敏。")
        reach = Reach(user) if user else None
        if kind != "ledger":
            return self._document(kind, reach, options)
        if options["fmt"] != "xlsx":
            raise CommandError("台账只有 Excel 格式:--format xlsx。")
        written = self._ledger(user, reach, options)
        self.stdout.write(f"已写出 {written} 行到 {options['out']}")

    def _document(self, kind, reach, options):
        if importlib.util.find_spec("jiesu.reports.documents") is None:
            raise CommandError(f"{kind} 报告尚未提供;目前只有 ledger(台账)。")
        from jiesu.reports import documents

        try:
            documents.build(
                kind,
                reach=reach,
                period=options["period"],
                date=options["date"],
                start=options["start"],
                end=options["end"],
                unit=options["unit"],
                fmt=options["fmt"],
                out=options["out"],
            )
        except ValueError as err:
            raise CommandError(str(err)) from None
        except RoleRefused as err:
            raise CommandError(err.message) from None
        self.stdout.write(f"已写出 {options['out']}")

    def _ledger(self, user, reach, options) -> int:
        cases = reach.cases() if reach else unscoped(Case.objects.all(), why=SYSTEM_WHY)
        filters = {"kind": options["ledger_kind"]}
        if options["period"]:
            try:
                bounds = rules.period_bounds(options["period"])
            except ValueError as err:
                raise CommandError(str(err)) from None
            cases = ledgers.received_between(cases, *bounds)
            filters["period"] = options["period"]
        elif options["start"] or options["end"]:
            first = _day(options["start"]) if options["start"] else None
            last = _day(options["end"]) if options["end"] else None
            cases = ledgers.received_between(cases, *ledgers.day_bounds(first, last))
            filters.update(received_from=options["start"], received_to=options["end"])
        if options["unit"]:
            units = reach.units() if reach else Unit.objects.all()
            unit = units.filter(pk=options["unit"]).first()
            if unit is None:
                raise CommandError(f"没有单位 {options['unit']},或该用户无权查看。")
            cases = CaseFilter({"unit": str(unit.pk)}, cases, user=user).qs
            filters["unit"] = unit.name
        ledger = ledgers.build(
            options["ledger_kind"], cases, reach=reach, reveal=bool(options["reveal"])
        )
        ledger.notes = [
            ("台账", ledger.title),
            ("导出人", user.get_username() if user else "系统(命令行)"),
            ("条件", "; ".join(f"{k}={v}" for k, v in filters.items() if v)),
        ]
        written = ledgers.write(ledger, options["out"])
        if ledger.reveal:
            filters["reveal"] = True
        audit_log.record(
            "export",
            user=user,
            what=f"{ledger.title}(命令行)",
            count=written,
            filters={k: v for k, v in filters.items() if v},
        )
        return written
