"""`jiesu calendar mark-complete YEAR --notice NAME --date YYYY-MM-DD [--user U]`: mark a
year's official holiday schedule as entered in full (its days are entered first, in the admin
under 节假日与调休); the open cases' due times in that year are recomputed.
`jiesu calendar status [YEAR]`: which years are built in, entered and marked."""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiesu.core import calendar
from jiesu.core.models import CalendarDay, DayKind, OfficialSchedule


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”的格式不对,应为 YYYY-MM-DD。") from None


class Command(BaseCommand):
    help = "节假日安排:mark-complete 标记某年官方放假安排已录入完成;status 查看各年情况"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        mark = sub.add_parser("mark-complete", help="标记某年官方放假安排已录入完成")
        mark.add_argument("year", type=int)
        mark.add_argument("--notice", required=True, help="通知名称")
        mark.add_argument("--date", required=True, help="通知发布日期 YYYY-MM-DD")
        mark.add_argument("--user", help="记为标记人的用户名")
        status = sub.add_parser("status", help="查看各年放假安排的录入情况")
        status.add_argument("year", type=int, nargs="?")

    def handle(self, *args, action, **options):
        if action == "mark-complete":
            self._mark(options)
        else:
            self._status(options.get("year"))

    def _mark(self, options):
        year, username = options["year"], options.get("user")
        user = None
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"没有名为“{username}”的有效用户。")
        try:
            row = calendar.mark_complete(
                year, notice=options["notice"], notice_date=_date(options["date"]), by=user
            )
        except ValidationError as err:
            raise CommandError(";".join(err.messages)) from None
        days = CalendarDay.objects.filter(date__year=year).count()
        self.stdout.write(
            f"已标记{year}年官方放假安排录入完成(已录入 {days} 天),"
            f"重新计算了 {row.rescheduled} 件未办结工单的办结时限。"
        )

    def _status(self, year):
        built_in = calendar.LIBRARY_YEARS
        self.stdout.write(f"内置放假安排:{built_in.start}–{built_in.stop - 1} 年")
        marked = {r.year: r for r in OfficialSchedule.objects.all()}
        entered = sorted({d.year for d in CalendarDay.objects.values_list("date", flat=True)})
        for y in sorted(set(entered) | set(marked) if year is None else {year}):
            days = CalendarDay.objects.filter(date__year=y)
            holidays = days.filter(kind=DayKind.HOLIDAY).count()
            workdays = days.filter(kind=DayKind.WORKDAY).count()
            row = marked.get(y)
            state = (
                f"已标记录入完成({row.notice},{row.notice_date})"
                if row
                else ("已内置" if y in built_in else "未标记录入完成:时限按周末推算")
            )
            self.stdout.write(f"{y} 年:放假 {holidays} 天,调休上班 {workdays} 天;{state}")
