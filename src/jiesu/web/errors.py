"""Error pages in Chinese: 403, 404 and 500 for people, with the reason when it is ours."""

from django.shortcuts import render


def ours(message: str) -> bool:
    """Whether an exception's message was written for the user (in Chinese), rather than a
    framework's English text such as "No Case matches the given query."."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in message)


def _page(request, status: int, title: str, default: str, exception=None):
    message = str(exception) if exception is not None else ""
    return render(
        request,
        "web/error.html",
        {"status": status, "title": title, "message": message if ours(message) else default},
        status=status,
    )


def bad_request(request, exception=None):
    # Django's own reasons (a body over the size limit, too many fields) are English
    return _page(request, 400, "请求有误", "提交的内容过大或格式不正确,未做任何更改。", exception)


def forbidden(request, exception=None):
    return _page(request, 403, "无权访问", "您没有查看这一页的权限。", exception)


def not_found(request, exception=None):
    return _page(request, 404, "页面不存在", "没有找到这一页,或您无权查看。", exception)


def server_error(request):
    # a page of its own, with no navigation: the database may be what failed
    return render(request, "web/error_500.html", status=500)
