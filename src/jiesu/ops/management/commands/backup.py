"""`jiesu backup`: the database, the attachments and a manifest of hashes in one file."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiesu.ops import crypto
from jiesu.ops.backup import create_backup
from jiesu.ops.errors import BackupError


class Command(BaseCommand):
    help = "备份数据库和附件到一个文件(可加密)"

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, help="备份文件夹,默认 JIESU_BACKUP_DIR")
        parser.add_argument(
            "--key-file", type=Path, help="用这个密钥文件加密,默认 JIESU_BACKUP_KEY_FILE"
        )
        parser.add_argument(
            "--new-key-file", type=Path, help="生成一个新的备份密钥文件(只生成,不备份)"
        )
        parser.add_argument("--database", default="default", help="数据库别名")

    def handle(self, *args, out, key_file, new_key_file, database, **options):
        try:
            if new_key_file:
                crypto.new_key_file(new_key_file)
                self.stdout.write(
                    f"已生成备份密钥 {new_key_file}(仅所有者可读)。请另存一份在这台机器之外:"
                    "没有密钥,加密的备份无法恢复。"
                )
                return
            key_file = key_file or settings.JIESU_BACKUP_KEY_FILE or None
            key = crypto.read_key_file(key_file) if key_file else None
            create_backup(out_dir=out, key=key, using=database, report=self.stdout.write)
        except BackupError as err:
            raise CommandError(str(err)) from None
