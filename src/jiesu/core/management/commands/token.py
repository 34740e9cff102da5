"""`jiesu token USERNAME`: issue an API token for a user and print it once."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from jiesu.core.models import ApiToken


class Command(BaseCommand):
    help = "为用户生成接口令牌(只显示一次)"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有名为“{username}”的有效用户。")
        self.stdout.write(ApiToken.issue(user))
