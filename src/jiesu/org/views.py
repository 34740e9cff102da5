"""The duty roster page (排班): a month of shifts for a street; the 组长 adds and removes."""

import calendar
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiesu.core.params import as_id
from jiesu.org import roster
from jiesu.org.access import DESK_ROLES
from jiesu.org.models import (
    DutyAssignment,
    DutyPeriod,
    DutySwap,
    Membership,
    Role,
    RotaTemplate,
    SwapStatus,
    UnitKind,
)


def _streets(reach):
    return reach.units(kinds=[UnitKind.STREET])


def _month(text: str) -> dt.date:
    today = timezone.localdate()
    try:
        year, month = (int(p) for p in text.split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)


class DutyForm(forms.Form):
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    shift = forms.ModelChoiceField(label="班次", queryset=None, empty_label=None)
    user = forms.ModelChoiceField(label="人员", queryset=None, empty_label=None)
    role = forms.ChoiceField(
        label="岗位", choices=[(r.value, r.label) for r in Role if r in DESK_ROLES]
    )
    note = forms.CharField(label="备注", max_length=100, required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].queryset = roster.Shift.objects.all()
        people = Membership.objects.filter(unit__path__startswith=unit.path).values("user")
        self.fields["user"].queryset = (
            get_user_model().objects.filter(pk__in=people, is_active=True).order_by("username")
        )
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username


@login_required
def roster_page(request):
    reach = request.reach
    streets = list(_streets(reach))
    if not streets:
        raise PermissionDenied("您没有街道(乡镇)的岗位,无法查看排班。")
    unit = next((s for s in streets if s.pk == as_id(request.GET.get("unit", ""))), streets[0])
    first = _month(request.GET.get("month", ""))
    days = calendar.monthrange(first.year, first.month)[1]
    shifts = roster.shifts()
    duties = DutyAssignment.objects.filter(
        unit=unit, day__gte=first, day__lte=first.replace(day=days)
    ).select_related("user", "shift")
    grid = {}
    for d in duties:
        grid.setdefault((d.day, d.shift_id), []).append(d)
    today = timezone.localdate()
    periods = list(
        DutyPeriod.objects.filter(
            unit=unit, first_day__lte=first.replace(day=days), last_day__gte=first
        )
    )
    rows = [
        {
            "day": day,
            "weekday": "一二三四五六日"[day.weekday()],
            "today": day == today,
            "cells": [grid.get((day, s.pk), []) for s in shifts],
            "periods": [p.name for p in periods if p.first_day <= day <= p.last_day],
        }
        for day in (first + dt.timedelta(days=i) for i in range(days))
    ]
    may_edit = reach.reaches_unit(unit, roles=[Role.LEADER])
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = first.replace(day=days) + dt.timedelta(days=1)
    return render(
        request,
        "org/roster.html",
        {
            "unit": unit,
            "streets": streets,
            "month": first,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "shifts": shifts,
            "rows": rows,
            "may_edit": may_edit,
            "form": DutyForm(unit=unit, initial={"day": today}) if may_edit else None,
            "now_on": list(roster.on_duty([unit])),
            "swaps": DutySwap.objects.filter(duty__unit=unit, status=SwapStatus.PENDING)
            .select_related("duty__shift", "duty__user", "to_user")
            .order_by("duty__starts_at"),
            "me": request.user.pk,
            "now": timezone.now(),
            "templates": RotaTemplate.objects.filter(unit=unit).order_by("name"),
            "periods": DutyPeriod.objects.filter(unit=unit, last_day__gte=today),
        },
    )


def _editable_unit(request, pk):
    unit = next((s for s in _streets(request.reach) if s.pk == pk), None)
    if unit is None:
        raise Http404("没有这个街道,或您无权查看。")
    if not request.reach.reaches_unit(unit, roles=[Role.LEADER]):
        raise PermissionDenied("只有组长可以排班。")
    return unit


@login_required
@require_POST
def roster_add(request, unit_id: int):
    unit = _editable_unit(request, unit_id)
    form = DutyForm(request.POST, unit=unit)
    back = f"/duty/?unit={unit.pk}&month={request.POST.get('day', '')[:7]}"
    if not form.is_valid():
        messages.error(
            request, "排班未保存:" + ";".join(e for errs in form.errors.values() for e in errs)
        )
        return redirect(back)
    data = form.cleaned_data
    try:
        roster.assign(
            unit=unit,
            day=data["day"],
            shift=data["shift"],
            user=data["user"],
            role=data["role"],
            note=data["note"],
        )
    except IntegrityError:
        messages.error(request, "该人员当天已排此班次。")
        return redirect(back)
    messages.success(
        request,
        f"已排班:{data['day']} {data['shift'].name} {data['user'].get_full_name() or data['user'].username}",
    )
    return redirect(back)


@login_required
@require_POST
def roster_remove(request, pk: int):
    duty = DutyAssignment.objects.filter(pk=pk).select_related("unit").first()
    if duty is None:
        raise Http404("没有这条排班。")
    _editable_unit(request, duty.unit_id)
    roster.unassign(duty)
    messages.success(request, "已取消该排班;已开始的班次到现在为止。")
    return redirect(f"/duty/?unit={duty.unit_id}&month={duty.day:%Y-%m}")


class SwapForm(forms.Form):
    to_user = forms.ModelChoiceField(label="换给", queryset=None, empty_label=None)
    reason = forms.CharField(label="原因", max_length=200)

    def __init__(self, *args, duty, **kwargs):
        super().__init__(*args, **kwargs)
        people = Membership.objects.filter(unit__path__startswith=duty.unit.path).values("user")
        self.fields["to_user"].queryset = (
            get_user_model()
            .objects.filter(pk__in=people, is_active=True)
            .exclude(pk=duty.user_id)
            .order_by("username")
        )
        self.fields["to_user"].label_from_instance = lambda u: u.get_full_name() or u.username


@login_required
def swap_ask(request, pk: int):
    """The person on a shift asks to hand it to a colleague."""
    duty = (
        DutyAssignment.objects.filter(pk=pk, user=request.user)
        .select_related("unit", "shift")
        .first()
    )
    if duty is None:
        raise Http404("没有这个班次,或不是您的班次。")
    form = SwapForm(request.POST or None, duty=duty)
    if request.method == "POST" and form.is_valid():
        try:
            roster.ask_swap(
                duty,
                to_user=form.cleaned_data["to_user"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except roster.SwapRefused as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, "已提交换班申请,等待组长审批。")
            return redirect(f"/duty/?unit={duty.unit_id}&month={duty.day:%Y-%m}")
    status = 400 if request.method == "POST" else 200
    return render(request, "org/swap.html", {"duty": duty, "form": form}, status=status)


@login_required
@require_POST
def swap_decide(request, pk: int):
    swap = (
        DutySwap.objects.filter(pk=pk).select_related("duty__unit", "asked_by", "to_user").first()
    )
    if swap is None:
        raise Http404("没有这个换班申请。")
    _editable_unit(request, swap.duty.unit_id)
    approved = request.POST.get("approved") == "1"
    try:
        roster.decide_swap(swap, approved=approved, by=request.user)
    except roster.SwapRefused as err:
        messages.error(request, str(err))
    else:
        messages.success(request, "已同意换班,排班已更新。" if approved else "已不同意该换班申请。")
    return redirect(f"/duty/?unit={swap.duty.unit_id}&month={swap.duty.day:%Y-%m}")


def _people(unit, text: str) -> list:
    """Usernames in turn order (comma or space separated), each a person of the unit."""
    names = [n for n in text.replace(",", ",").replace(",", " ").split() if n]
    people = Membership.objects.filter(unit__path__startswith=unit.path).values("user")
    found = {
        u.username: u
        for u in get_user_model().objects.filter(pk__in=people, username__in=names, is_active=True)
    }
    missing = [n for n in names if n not in found]
    if missing:
        raise ValueError(f"没有这些本单位人员:{'、'.join(missing)}。")
    return [found[n] for n in names]


@login_required
@require_POST
def rota_save(request, unit_id: int):
    """Keep a rota template: a name, a role, and per shift the usernames in turn order."""
    unit = _editable_unit(request, unit_id)
    name = request.POST.get("name", "").strip()[:50]
    role = request.POST.get("role", "")
    back = f"/duty/?unit={unit.pk}"
    if not name or role not in {r.value for r in Role if r in DESK_ROLES}:
        messages.error(request, "请填写模板名称并选择岗位。")
        return redirect(back)
    turns = {}
    try:
        for shift in roster.shifts():
            people = _people(unit, request.POST.get(f"shift_{shift.pk}", ""))
            if people:
                turns[str(shift.pk)] = [u.pk for u in people]
    except ValueError as err:
        messages.error(request, str(err))
        return redirect(back)
    if not turns:
        messages.error(request, "至少为一个班次填写轮班人员。")
        return redirect(back)
    RotaTemplate.objects.update_or_create(
        unit=unit, name=name, defaults={"role": role, "turns": turns}
    )
    messages.success(request, f"已保存轮班模板“{name}”。")
    return redirect(back)


@login_required
@require_POST
def rota_apply(request, pk: int):
    """Fill a span of days with a rota template."""
    template = RotaTemplate.objects.filter(pk=pk).select_related("unit").first()
    if template is None:
        raise Http404("没有这个轮班模板。")
    _editable_unit(request, template.unit_id)
    back = f"/duty/?unit={template.unit_id}"
    try:
        first = dt.date.fromisoformat(request.POST.get("first", ""))
        last = dt.date.fromisoformat(request.POST.get("last", ""))
        made = roster.apply_rota(template, first=first, last=last)
    except ValueError as err:
        text = str(err) if "日期" in str(err) or "三个月" in str(err) else "日期格式不对。"
        messages.error(request, text)
        return redirect(back)
    messages.success(request, f"已按“{template.name}”排班 {made} 班次。")
    return redirect(f"{back}&month={first:%Y-%m}")


@login_required
@require_POST
def period_add(request, unit_id: int):
    """A key period with its own duty (两会, 春节…)."""
    unit = _editable_unit(request, unit_id)
    back = f"/duty/?unit={unit.pk}"
    name = request.POST.get("name", "").strip()[:50]
    try:
        first = dt.date.fromisoformat(request.POST.get("first", ""))
        last = dt.date.fromisoformat(request.POST.get("last", ""))
    except ValueError:
        messages.error(request, "日期格式不对。")
        return redirect(back)
    if not name or last < first:
        messages.error(request, "请填写名称,结束日期不能早于开始日期。")
        return redirect(back)
    DutyPeriod.objects.create(
        unit=unit,
        name=name,
        first_day=first,
        last_day=last,
        note=request.POST.get("note", "").strip()[:200],
    )
    messages.success(request, f"已添加重点时期“{name}”。")
    return redirect(f"{back}&month={first:%Y-%m}")
