"""`jiesu token USERNAME [--days N]`: issue an API token for a user and print it once."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from jiesu.core.models import TOKEN_DAYS, ApiToken


class Command(BaseCommand):
    help = "为用户生成接口令牌(只显示一次)"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days", type=int, default=TOKEN_DAYS, help=f"有效天数(默认 {TOKEN_DAYS} 天)"
        )

    def handle(self, *args, username, days, **options):
        if not 1 <= days <= 3650:
            raise CommandError("有效天数须在 1 到 3650 之间。")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有名为“{username}”的有效用户。")
        self.stdout.write(ApiToken.issue(user, days=days))
