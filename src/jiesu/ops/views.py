from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from jiesu.ops import health


@never_cache
@require_safe
def healthz(request):
    """Health for monitors and load balancers: 200 when up (ok or degraded), 503 when down."""
    return health_response("default")


def health_response(using: str) -> JsonResponse:
    report = health.check(using)
    status = 503 if report["status"] == "down" else 200
    return JsonResponse(report, status=status, json_dumps_params={"ensure_ascii": False})
