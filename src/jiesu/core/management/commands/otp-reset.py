"""`jiesu otp-reset USERNAME`: remove a user's 2FA devices (a lost phone)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jiesu.core import twofactor


class Command(BaseCommand):
    help = "重置动态口令:删除该用户绑定的手机和备用码,下次登录时重新绑定"

    def add_arguments(self, parser):
        parser.add_argument("username", help="要重置的用户名")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为“{username}”的用户。")
        count = twofactor.reset(user)
        if count == 0:
            self.stdout.write(f"“{username}”没有绑定动态口令,无需重置。")
        else:
            self.stdout.write(f"已重置“{username}”的动态口令,下次登录时须重新绑定手机。")
