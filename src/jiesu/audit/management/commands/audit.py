"""`jiesu audit verify`: recompute the audit log's hash chain and name the first broken row."""

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from jiesu.audit import chain, triggers
from jiesu.audit.models import AuditEvent


class Command(BaseCommand):
    help = "安全审计日志:verify 校验哈希链是否完整"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"], help="verify:校验哈希链")

    def handle(self, *args, action, **options):
        rows = AuditEvent.objects.order_by("id").iterator(chunk_size=5000)
        count, broken = chain.verify(rows)
        if broken is not None:
            when = timezone.localtime(broken.at).strftime("%Y-%m-%d %H:%M:%S")
            self.stderr.write(
                f"审计日志已被破坏:第一条异常记录 id={broken.id},时间 {when}:{broken.reason}"
                f"(此前 {count} 条完整)"
            )
            raise SystemExit(1)
        missing = triggers.missing(connection)
        if missing:
            self.stderr.write(
                f"审计日志共 {count} 条哈希链完整,但数据库保护触发器缺失:{', '.join(missing)};"
                "请运行 jiesu migrate 恢复。"
            )
            raise SystemExit(1)
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        self.stdout.write(f"审计日志完整:共 {count} 条")
        if last:
            self.stdout.write(f"最后一条的哈希:{last}(可抄存备查,用于发现末尾记录被删)")
