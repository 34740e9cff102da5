import pytest

from jiesu.audit.models import AuditEvent


@pytest.fixture
def events():
    """The audit rows written after this point, oldest first."""
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def since(**filters):
        return list(AuditEvent.objects.filter(id__gt=start, **filters).order_by("id"))

    return since
