"""The handover pages (交接班): the street's handovers, one handover printable, the
outgoing shift's notes, the incoming shift's acknowledgement."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiesu.core.params import as_id
from jiesu.org.access import DESK_ROLES
from jiesu.org.models import Handover, UnitKind
from jiesu.supervision import handover as handovers

PAGE = 30


def _streets(reach):
    streets = list(reach.units(DESK_ROLES, kinds=[UnitKind.STREET]))
    if not streets:
        raise PermissionDenied("只有本街道的组长和坐席员可以查看交接班。")
    return streets


@login_required
def handover_list(request):
    streets = _streets(request.reach)
    unit = next((s for s in streets if s.pk == as_id(request.GET.get("unit", ""))), streets[0])
    rows = (
        Handover.objects.filter(unit=unit)
        .exclude(made_at=None)
        .select_related("shift_in", "acknowledged_by", "notes_by")[:PAGE]
    )
    return render(
        request,
        "supervision/handovers.html",
        {"unit": unit, "streets": streets, "rows": rows, "coming": handovers.coming(unit)},
    )


def _handover(request, pk):
    found = Handover.objects.filter(pk=pk, unit__in=_streets(request.reach)).first()
    if found is None:
        raise Http404("没有这份交接班记录,或您无权查看。")
    return found


@login_required
def handover_detail(request, pk: int):
    handover = _handover(request, pk)
    return render(request, "supervision/handover.html", {"h": handover, "items": handover.items})


@login_required
@require_POST
def handover_notes(request, pk: int):
    handover = _handover(request, pk)
    if handover.made_at is not None:
        messages.error(request, "该次交接已生成,不能再修改交班说明。")
    else:
        handovers.write_notes(handover, text=request.POST.get("notes", ""), by=request.user)
        messages.success(request, "已保存交班说明,交接时会列入交接单。")
    return redirect(f"/duty/handover/?unit={handover.unit_id}")


@login_required
@require_POST
def handover_acknowledge(request, pk: int):
    handover = _handover(request, pk)
    if handovers.acknowledge(handover, by=request.user):
        messages.success(request, "已确认接班。")
    else:
        messages.error(request, "该交接单已由他人确认,或尚未生成。")
    return redirect("handover", handover.pk)
