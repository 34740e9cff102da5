"""`jiesu unlock USERNAME` or `jiesu unlock --ip ADDRESS`: lift a login lockout now."""

from axes.handlers.proxy import AxesProxyHandler
from django.core.management.base import BaseCommand, CommandError

from jiesu.core.announce import security


class Command(BaseCommand):
    help = "解除登录锁定:清除该账号(或该地址)的登录失败记录"

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="要解锁的用户名")
        parser.add_argument("--ip", help="要解锁的地址(多人共用的办公地址被锁定时)")

    def handle(self, *args, username=None, ip=None, **options):
        if not username and not ip:
            raise CommandError("请给出要解锁的用户名,或用 --ip 给出地址。")
        count = AxesProxyHandler.reset_attempts(username=username, ip_address=ip)
        if count:
            security(
                "unlock",
                username_unlocked=username or "",
                ip_unlocked=ip or "",
                cleared=count,
                how="命令行",
            )
        who = "、".join(x for x in (username and f"账号“{username}”", ip and f"地址 {ip}") if x)
        if count == 0:
            self.stdout.write(f"{who}没有登录失败记录,无需解锁。")
        else:
            self.stdout.write(f"已解锁{who}:清除 {count} 条登录失败记录。")
