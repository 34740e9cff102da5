"""`jiesu demo`: load the demo office (昌平区霍营街道) with people and cases, print the logins."""

import datetime as dt
import os
import secrets
import string
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from jiesu.cases.deadlines import LOCAL
from jiesu.demo import applications, office
from jiesu.demo.build import build_cases
from jiesu.org.models import Role

PASSWORD_ALPHABET = string.ascii_letters + string.digits


def _moment(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=LOCAL)


class Command(BaseCommand):
    help = "载入演示数据:昌平区霍营街道的真实社区、科室、人员、分类和工单"

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=3000, help="工单数量(默认 3000)")
        parser.add_argument("--months", type=int, default=6, help="工单分布的月数(默认 6)")
        parser.add_argument("--seed", type=int, default=1, help="随机种子(默认 1)")
        parser.add_argument(
            "--password",
            default=os.environ.get("JIESU_DEMO_PASSWORD"),
            help="演示账号密码(默认取 JIESU_DEMO_PASSWORD,否则随机生成)",
        )
        parser.add_argument("--if-empty", action="store_true", help="演示单位已存在时只显示账号")
        parser.add_argument("--now", type=_moment, help="以此时刻为“现在”(ISO 格式,默认当前时间)")

    def handle(self, *args, cases, months, seed, password, if_empty, now, **options):
        if office.exists():
            if not if_empty:
                raise CommandError("演示单位“霍营街道”已存在。请换一个空数据库,或加 --if-empty。")
            self.stdout.write("演示数据已存在,未作改动。")
            self._logins(None)
            return
        if cases < 0 or months < 1:
            raise CommandError("--cases 不能为负数,--months 至少为 1。")
        password = password or "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
        with transaction.atomic():
            demo = office.build(password)
        started = time.monotonic()
        build_cases(
            demo,
            count=cases,
            months=months,
            seed=seed,
            now=now or timezone.now(),
            progress=self._progress(cases),
        )
        seconds = time.monotonic() - started
        rate = cases / seconds if seconds else 0
        self.stdout.write(f"已生成 {cases} 件工单,用时 {seconds:.1f} 秒({rate:.0f} 件/秒)。")
        filed = applications.file_applications(demo, now=now or timezone.now(), seed=seed)
        self.stdout.write(f"已生成 {filed} 件剔除/申诉申请。")
        shifts = office.duty_roster(demo, now=now or timezone.now())
        self.stdout.write(f"已排班 {shifts} 班次(本月和下月)。")
        self._logins(password)

    def _progress(self, total: int):
        shown = {0}

        def report(done: int, seconds: float) -> None:
            step = done * 20 // total
            if step not in shown:
                shown.add(step)
                self.stdout.write(f"  工单 {done}/{total}({step * 5}%),{done / seconds:.0f} 件/秒")

        return report

    def _logins(self, password: str | None) -> None:
        self.stdout.write("演示账号:")
        for username, name, role, unit in office.LOGINS:
            self.stdout.write(f"  {username:<8} {name}  {Role(role).label} · {unit}")
        if password:
            self.stdout.write(f"密码(所有演示账号相同):{password}")
        else:
            self.stdout.write("密码:首次载入时显示的密码(或 JIESU_DEMO_PASSWORD)。")
