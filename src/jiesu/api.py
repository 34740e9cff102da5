"""The JSON API at /api/v1/, OpenAPI docs at /api/docs. Errors are {"error": {code, message}}."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from jiesu.assessment.api import router as scores_router
from jiesu.cases.api import router as cases_router
from jiesu.cases.errors import WorkflowError
from jiesu.core.auth import ClientRateThrottle
from jiesu.intake import api as intake_api  # noqa: F401  (adds POST /cases to the router)
from jiesu.org.api import router as duty_router
from jiesu.supervision.api import router as notifications_router
from jiesu.web.errors import ours

api = NinjaAPI(
    title="接诉即办工作平台 API",
    version="1",
    docs_url="/docs",
    # the schema names every field jiesu holds: people who log in may read it, nobody else
    docs_decorator=login_required,
    urls_namespace="api",
    throttle=[ClientRateThrottle()],
)
api.add_router("/v1", cases_router)
api.add_router("/v1", scores_router)
api.add_router("/v1", notifications_router)
api.add_router("/v1", duty_router)


def _error(request, status: int, code: str, message: str, field: str | None = None):
    body = {"error": {"code": code, "message": message}}
    if field:
        body["error"]["field"] = field
    return api.create_response(request, body, status=status)


@api.exception_handler(WorkflowError)
def workflow_error(request, exc: WorkflowError):
    return _error(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", [])[1:])
    said = str(first.get("msg", "")).removeprefix("Value error, ")
    message = f"输入有误:{where + ':' if where else ''}{said}" if ours(said) else ""
    return _error(
        request,
        422,
        "invalid_input",
        message or f"输入有误:{where or '请求'}格式不正确。",
        where or None,
    )


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1048576
    return _error(request, 413, "too_large", f"请求体过大:上限为 {limit:.1f}MB。")


@api.exception_handler(Http404)
def not_found(request, exc):
    message = str(exc)
    return _error(
        request, 404, "not_found", message if ours(message) else "没有找到该工单,或您无权查看。"
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    message = str(exc)
    if not ours(message):
        message = "请先登录,或在请求头中提供有效的接口令牌。"
    return _error(request, 401, "unauthenticated", message)


@api.exception_handler(Throttled)
def throttled(request, exc):
    return _error(request, 429, "rate_limited", "请求过于频繁,请稍后再试。")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 400:
        return _error(request, 400, "bad_request", "请求无法解析:请发送有效的 JSON。")
    return _error(request, exc.status_code, "http_error", str(exc))
