"""Queue pages and the live queue counts in the navigation."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from jiesu.cases import queues
from jiesu.cases.views import render_case_list


@login_required
def queue_page(request, code):
    queue = queues.BY_CODE.get(code)
    if queue is None or queue not in queues.queues_for(request.reach):
        raise Http404("没有这个工作队列。")
    now = timezone.now()
    return render_case_list(
        request,
        title=queue.label,
        extra=queues.condition(code, request.reach, now),
        queue=queue,
        arrange=lambda cases: queues.arranged(code, cases, now),
        due_column=queues.DUE_COLUMN.get(code, "current_due_at"),
    )


@login_required
def queue_counts(request):
    """The navigation's queue links with their counts (polled by HTMX)."""
    counts = queues.counts(request.reach, timezone.now())
    items = [(q, counts.get(q.code, 0)) for q in queues.queues_for(request.reach)]
    return render(request, "cases/_queue_nav.html", {"items": items})
