"""The routing-rule table, kept by the 组长 in the browser."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from jiesu.audit import log as audit_log
from jiesu.audit.models import Kind
from jiesu.cases.models import Category, Tag
from jiesu.core.params import as_id
from jiesu.knowledge.forms import RoutingRuleForm
from jiesu.knowledge.models import RoutingRule
from jiesu.org.models import Role, Unit, UnitKind


def _leader_street(request) -> Unit:
    """The street a 组长 keeps rules for; others may not edit them."""
    street = request.reach.home(roles={Role.LEADER}, kinds={UnitKind.STREET})
    if street is None:
        raise PermissionDenied("只有组长可以维护派单规则。")
    return street


def _rules_of(request, street):
    return (
        RoutingRule.objects.visible_to(request.reach, "edit")
        .filter(unit__path__startswith=street.path)
        .select_related("category", "community", "unit", "updated_by")
    )


@login_required
def rule_list(request):
    street = _leader_street(request)
    form = RoutingRuleForm(request.POST or None, street=street)
    if request.method == "POST" and form.is_valid():
        rule = form.save(commit=False)
        rule.updated_by = request.user
        rule.save()
        messages.success(request, f"已添加派单规则:{rule}")
        return redirect("rule_list")
    return render(
        request,
        "knowledge/rules.html",
        {
            "form": form,
            "rules": _rules_of(request, street),
            "street": street,
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def rule_delete(request, rule_id):
    street = _leader_street(request)
    rule = get_object_or_404(_rules_of(request, street), pk=rule_id)
    rule.delete()
    messages.success(request, f"已删除派单规则:{rule}")
    return redirect("rule_list")


@login_required
def approval_flags(request):
    """The categories and tags whose cases wait for the 组长's approval before dispatch
    (派单须审批); a 组长 flags and unflags them, each change in the audit log."""
    _leader_street(request)
    if request.method == "POST":
        model = {"category": Category, "tag": Tag}.get(request.POST.get("what", ""))
        found = (
            model.objects.filter(pk=as_id(request.POST.get("id", ""))).first() if model else None
        )
        if found is None:
            messages.error(request, "请选择分类或标签。")
            return redirect("approval_flags")
        on = request.POST.get("on") == "1"
        model.objects.filter(pk=found.pk).update(needs_approval=on)
        audit_log.record(
            Kind.CONFIG_UPDATE, request=request, target=found, field="needs_approval", value=on
        )
        state = "派单须审批" if on else "不再须审批"
        messages.success(request, f"“{found}”{state}。")
        return redirect("approval_flags")
    return render(
        request,
        "knowledge/approval_flags.html",
        {
            "categories": Category.objects.filter(needs_approval=True),
            "tags": Tag.objects.filter(needs_approval=True),
            "category_choices": Category.objects.filter(level__lte=2, needs_approval=False),
            "tag_choices": Tag.objects.filter(needs_approval=False),
        },
    )
