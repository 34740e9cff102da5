"""The bell (未读通知) and the notifications page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiesu.core.params import as_id
from jiesu.supervision import notify

PAGE = 50


@login_required
def bell(request):
    """The unread count, polled by every page's navigation."""
    return render(request, "supervision/_bell.html", {"unread": notify.unread_count(request.user)})


@login_required
def notification_list(request):
    rows = notify.of(request.user)
    before = as_id(request.GET.get("before"))
    if before:
        rows = rows.filter(pk__lt=before)
    page = list(rows.order_by("-id")[: PAGE + 1])
    more = page[PAGE - 1].pk if len(page) > PAGE else None
    return render(
        request,
        "supervision/notifications.html",
        {"rows": page[:PAGE], "next_before": more, "unread": notify.unread_count(request.user)},
    )


@login_required
@require_POST
def notification_read(request):
    """Mark one (`id`) or all read; back to the page, or the case when `open` is given."""
    pk = as_id(request.POST.get("id", ""))
    notify.mark_read(request.user, [pk] if pk else None)
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("notifications")
