"""`jiesu restore FILE`: check a backup's hashes, then restore it into an empty database."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiesu.ops.crypto import read_key_file
from jiesu.ops.errors import BackupError
from jiesu.ops.restore import restore_backup


class Command(BaseCommand):
    help = "从备份文件恢复数据库和附件(先停止网站和后台任务)"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="备份文件")
        parser.add_argument(
            "--key-file", type=Path, help="加密备份的密钥文件,默认 JIESU_BACKUP_KEY_FILE"
        )
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时也覆盖")
        parser.add_argument("--database", default="default", help="数据库别名")

    def handle(self, *args, file, key_file, force, database, **options):
        try:
            key_file = key_file or settings.JIESU_BACKUP_KEY_FILE or None
            key = read_key_file(key_file) if key_file else None
            result = restore_backup(
                file, key=key, force=force, using=database, report=self.stdout.write
            )
        except BackupError as err:
            raise CommandError(str(err)) from None
        tables = len(result.counts)
        if result.mismatches:
            for table, (expected, found) in result.mismatches.items():
                self.stdout.write(
                    f"  {table}:备份 {expected} 行,恢复后 {'没有这张表' if found is None else f'{found} 行'}"
                )
            raise CommandError(f"行数核对:{len(result.mismatches)} 张表与备份清单不一致。")
        self.stdout.write(f"行数核对:{tables} 张表的行数与备份清单全部一致。")
        if result.behind:
            self.stdout.write(
                f"备份的数据库结构早于本程序({'、'.join(result.behind)} 尚未执行),"
                "请运行 jiesu migrate 后再启动。"
            )
        self.stdout.write(self.style.SUCCESS("恢复完成。"))
