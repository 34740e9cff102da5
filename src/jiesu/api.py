"""The JSON API at /api/v1/, OpenAPI docs at /api/docs. Errors are {"error": {code, message}}."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from jiesu.cases.api import router as cases_router
from jiesu.cases.errors import WorkflowError

api = NinjaAPI(title="接诉即办工作平台 API", version="1", docs_url="/docs", urls_namespace="api")
api.add_router("/v1", cases_router)


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
    return _error(
        request, 422, "invalid_input", f"输入有误:{where or '请求'}格式不正确。", where or None
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", "没有找到该工单,或您无权查看。")


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, "unauthenticated", "请先登录,或在请求头中提供有效的接口令牌。")
