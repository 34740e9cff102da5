"""The import page: upload a platform export, watch its progress, get the error workbook."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from jiesu.audit import log as audit_log
from jiesu.cases.models import Platform
from jiesu.intake import columns, runs
from jiesu.intake.models import ColumnMapping, ImportRun
from jiesu.intake.safe_read import READERS
from jiesu.org.models import Role, Unit, UnitKind
from jiesu.org.queries import grants_of


class UploadForm(forms.Form):
    platform = forms.ChoiceField(label="来源平台", choices=Platform.choices)
    file = forms.FileField(label="导出文件(.xlsx/.xls/.csv)")


class MappingForm(forms.ModelForm):
    field = forms.ChoiceField(
        label="对应字段", choices=[(name, label) for name, label in columns.LABELS.items()]
    )

    class Meta:
        model = ColumnMapping
        fields = ["platform", "header", "field"]

    def clean_header(self):
        header = columns.normalise_header(self.cleaned_data["header"])
        if not header:
            raise forms.ValidationError("请填写表头。")
        return header

    def clean(self):
        data = super().clean()
        taken = ColumnMapping.objects.filter(
            street=self.instance.street,
            platform=data.get("platform"),
            header=data.get("header"),
        )
        if taken.exists():
            raise forms.ValidationError("该平台的这个表头已有映射;如需修改,请先删除原映射。")
        return data


def _desk_street(user) -> Unit:
    """The street whose cases this 坐席员 or 组长 imports."""
    for grant in grants_of(user):
        if grant.role in (Role.OPERATOR, Role.LEADER) and grant.kind == UnitKind.STREET:
            return Unit.objects.get(pk=grant.unit_id)
    raise PermissionDenied("只有街乡镇的坐席员和组长可以导入工单。")


@login_required
def import_page(request):
    street = _desk_street(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in READERS:
            form.add_error("file", f"不支持的文件类型“{suffix}”:请上传 .xlsx、.xls 或 .csv 文件。")
        elif upload.size > settings.JIESU_IMPORT_MAX_BYTES:
            limit = settings.JIESU_IMPORT_MAX_BYTES // 1048576
            form.add_error("file", f"文件超过 {limit}MB 的上限,请分批导出。")
        else:
            run = runs.queue_run(
                upload, platform=form.cleaned_data["platform"], street=street, user=request.user
            )
            if not settings.JIESU_IMPORT_IN_BACKGROUND and runs.claim(run):
                runs.run_claimed(run)
            return redirect("import_run", run_id=run.pk)
    recent = ImportRun.objects.filter(street=street).select_related("started_by")[:20]
    return render(
        request,
        "intake/import.html",
        {"form": form, "runs": recent, "street": street},
        status=422 if form.errors else 200,
    )


def _visible_run(request, run_id) -> ImportRun:
    street = _desk_street(request.user)
    return get_object_or_404(ImportRun, pk=run_id, street=street)


@login_required
def import_run(request, run_id):
    return render(request, "intake/import_run.html", {"run": _visible_run(request, run_id)})


@login_required
def import_progress(request, run_id):
    """The progress box, polled by HTMX until the run ends."""
    return render(request, "intake/_import_progress.html", {"run": _visible_run(request, run_id)})


@login_required
def import_errors(request, run_id):
    run = _visible_run(request, run_id)
    if not run.errors_file or not Path(run.errors_file).exists():
        raise Http404("没有错误明细。")
    audit_log.exported(request, "导入错误明细", run.failed, run=run.pk, file=run.file_name)
    return FileResponse(
        open(run.errors_file, "rb"), as_attachment=True, filename=f"导入错误-{run.file_name}.xlsx"
    )


@login_required
def mappings(request):
    """The street's own column mappings (each street keeps its own)."""
    street = _desk_street(request.user)
    form = MappingForm(request.POST or None, instance=ColumnMapping(street=street))
    if request.method == "POST" and form.is_valid():
        mapping = form.save()
        messages.success(request, f"已保存列映射:{mapping}")
        return redirect("import_mappings")
    return render(
        request,
        "intake/mappings.html",
        {
            "form": form,
            "street": street,
            "mappings": ColumnMapping.objects.filter(street=street).order_by("platform", "header"),
            "labels": columns.LABELS,
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def mapping_delete(request, mapping_id):
    street = _desk_street(request.user)
    get_object_or_404(ColumnMapping, pk=mapping_id, street=street).delete()
    return redirect("import_mappings")
