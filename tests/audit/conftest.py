import pytest

from jiesu.audit.models import AuditEvent


class Since:
    """The audit rows written after a mark, oldest first (`force_login` writes a login row,
    so tests mark again after it)."""

    def __init__(self):
        self.mark()

    def mark(self):
        self.start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def __call__(self, **filters):
        return list(AuditEvent.objects.filter(id__gt=self.start, **filters).order_by("id"))


@pytest.fixture
def events(db):
    return Since()
