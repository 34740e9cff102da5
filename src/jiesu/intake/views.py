"""The import page: upload a platform export, watch its progress, get the error workbook;
the mappings page: column mappings, value mappings (值映射) and 待确认 categories."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from jiesu.audit import log as audit_log
from jiesu.cases.models import Category, Platform
from jiesu.core.workbooks import workbook_response
from jiesu.intake import columns, labels, runs, synonyms
from jiesu.intake.desk import desk_street
from jiesu.intake.models import (
    ColumnMapping,
    ImportRun,
    ImportStatus,
    RowOutcome,
    ValueSynonym,
)
from jiesu.intake.safe_read import EXPECTED, READERS, wrong_type
from jiesu.org.models import Role, Unit

# Failed rows shown on the run page; the error workbook has them all.
FIRST_FAILURES = 20


class UploadForm(forms.Form):
    platform = forms.ChoiceField(label="来源平台", choices=Platform.choices)
    file = forms.FileField(
        label="导出文件(.xlsx/.xls/.csv)",
        error_messages={
            "required": f"请选择要导入的文件:{EXPECTED}",
            "empty": f"上传的文件是空的:{EXPECTED}",
        },
    )


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


def _targets():
    return [
        (enum.label, [(f"{enum.name}:{value}", label) for value, label in enum.choices])
        for enum in labels.ENUMERATED.values()
    ]


class ValueSynonymForm(forms.Form):
    """A label as a platform writes it, and the standard value it means."""

    label = forms.CharField(label="原始值", max_length=100)
    target = forms.ChoiceField(label="对应标准值", choices=_targets)

    def __init__(self, *args, street: Unit, **kwargs):
        self.street = street
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        label = labels.normalise(data["label"])
        name, value = data["target"].split(":", 1)
        enum = labels.ENUMERATED[name]
        if not label:
            raise forms.ValidationError("请填写原始值。")
        if enum.standard_key(label) is not None:
            raise forms.ValidationError(f"“{label}”已是{enum.label}的标准值,无需映射。")
        if ValueSynonym.objects.filter(street=self.street, field=name, label=label).exists():
            raise forms.ValidationError(f"{enum.label}“{label}”已有映射;如需修改,请先删除原映射。")
        data.update(label=label, field=name, value=value)
        return data


def _desk_street(request) -> Unit:
    """The street whose cases this 坐席员 or 组长 imports."""
    street = desk_street(request.reach)
    if street is None:
        raise PermissionDenied("只有街乡镇的坐席员和组长可以导入工单。")
    return street


def _leads(request, street: Unit) -> bool:
    """The 组长 of the street: maps values and confirms categories."""
    return request.reach.reaches_unit(street, {Role.LEADER})


def _leader_street(request) -> Unit:
    street = _desk_street(request)
    if not _leads(request, street):
        raise PermissionDenied("只有组长可以设置值映射和确认分类。")
    return street


@login_required
def import_page(request):
    street = _desk_street(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in READERS:
            form.add_error("file", wrong_type(upload.name))
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
    recent = (
        ImportRun.objects.visible_to(request.reach)
        .filter(street=street)
        .select_related("started_by")[:20]
    )
    return render(
        request,
        "intake/import.html",
        {"form": form, "runs": recent, "street": street},
        status=422 if form.errors else 200,
    )


def _visible_run(request, run_id) -> ImportRun:
    street = _desk_street(request)
    return get_object_or_404(ImportRun.objects.visible_to(request.reach), pk=run_id, street=street)


def _run_context(request, run_id) -> dict:
    """The run, its first failed rows and the labels of it nobody has mapped yet."""
    run = _visible_run(request, run_id)
    context = {"run": run}
    if run.status == ImportStatus.DONE:
        context["failures"] = run.rows.filter(outcome=RowOutcome.FAILED).order_by("row_number")[
            :FIRST_FAILURES
        ]
        context["unmapped"] = labels.unmapped(run.unknown_labels, labels.Reader(run.street))
        new = run.unknown_labels.get("category", {})
        context["new_categories"] = [
            (c, new[c.full_name])
            for c in Category.objects.filter(unconfirmed=True, full_name__in=list(new))
        ]
    return context


@login_required
def import_run(request, run_id):
    return render(request, "intake/import_run.html", _run_context(request, run_id))


@login_required
def import_progress(request, run_id):
    """The progress box, polled by HTMX until the run ends."""
    return render(request, "intake/_import_progress.html", _run_context(request, run_id))


def errors_download_name(file_name: str) -> str:
    """导入错误-<the upload's name>.xlsx: one .xlsx, whatever the upload was called."""
    return f"导入错误-{Path(file_name).stem or '导入'}.xlsx"


@login_required
def import_errors(request, run_id):
    run = _visible_run(request, run_id)
    if not run.errors_file or not Path(run.errors_file).exists():
        raise Http404("没有错误明细。")
    audit_log.exported(request, "导入错误明细", run.failed, run=run.pk, file=run.file_name)
    return workbook_response(Path(run.errors_file), errors_download_name(run.file_name))


def _unconfirmed_categories(reach, street: Unit) -> list[tuple[Category, int]]:
    """The 待确认 categories the street's cases use, with how many cases use each."""
    unconfirmed = {c.pk: c for c in Category.objects.filter(unconfirmed=True)}
    counts = (
        reach.cases()
        .filter(street=street, category_id__in=list(unconfirmed))
        .values_list("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return sorted(((unconfirmed[pk], n) for pk, n in counts), key=lambda pair: pair[0].full_name)


def _mappings_page(request, street, *, form=None, value_form=None):
    """The street's column mappings, value mappings, unmapped values and 待确认 categories."""
    leads = _leads(request, street)
    form = form or MappingForm(instance=ColumnMapping(street=street))
    if leads and value_form is None:
        value_form = ValueSynonymForm(street=street)
    labelled = labels.Labelled(request.reach.cases().filter(street=street))
    mapped = list(
        ValueSynonym.objects.visible_to(request.reach)
        .filter(street=street)
        .select_related("created_by")
    )
    for synonym in mapped:
        synonym.pending = labelled.pending(synonym)
    bad = form.errors or (value_form is not None and value_form.errors)
    return render(
        request,
        "intake/mappings.html",
        {
            "form": form,
            "value_form": value_form,
            "leads": leads,
            "street": street,
            "mappings": ColumnMapping.objects.visible_to(request.reach)
            .filter(street=street)
            .order_by("platform", "header"),
            "labels": columns.LABELS,
            "synonyms": sorted(mapped, key=lambda s: (s.field, s.label)),
            "builtin": [
                (enum.label, [(w, enum.label_of(v)) for w, v in enum.builtin.items()])
                for enum in labels.ENUMERATED.values()
            ],
            "unmapped": labels.unmapped(labelled.counts(), labels.Reader(street)),
            "categories": _unconfirmed_categories(request.reach, street),
        },
        status=422 if bad else 200,
    )


@login_required
def mappings(request):
    """The street's own column mappings (each street keeps its own)."""
    street = _desk_street(request)
    if request.method != "POST":
        return _mappings_page(request, street)
    form = MappingForm(request.POST, instance=ColumnMapping(street=street))
    if form.is_valid():
        mapping = form.save()
        messages.success(request, f"已保存列映射:{mapping}")
        return redirect("import_mappings")
    return _mappings_page(request, street, form=form)


@login_required
@require_POST
def value_synonym_create(request):
    """值映射: saved for the street and applied at once to the cases already imported."""
    street = _leader_street(request)
    form = ValueSynonymForm(request.POST, street=street)
    if not form.is_valid():
        return _mappings_page(request, street, value_form=form)
    data = form.cleaned_data
    synonym, *counts = synonyms.save(
        street=street,
        field=data["field"],
        label=data["label"],
        value=data["value"],
        by=request.user,
    )
    messages.success(request, f"已保存值映射:{synonym}。{_applied(*counts)}")
    return redirect("import_mappings")


def _applied(updated: int, failed: int, left: int) -> str:
    note = f"已更新 {updated} 件工单。"
    if failed:
        note += f"{failed} 件工单恰被他人处理,未能更新。"
    if left:
        note += f"还有 {left} 件待更新,请在下方值映射中点“继续更新”。"
    return note


@login_required
@require_POST
def value_synonym_apply(request, synonym_id):
    """继续更新: the next batch of cases a saved mapping has not reached yet."""
    street = _leader_street(request)
    synonym = get_object_or_404(
        ValueSynonym.objects.visible_to(request.reach, "change"), pk=synonym_id, street=street
    )
    counts = synonyms.apply(synonym, by=request.user)
    messages.success(request, f"值映射 {synonym}:{_applied(*counts)}")
    return redirect("import_mappings")


@login_required
@require_POST
def value_synonym_delete(request, synonym_id):
    """Removes the mapping; the cases keep the value it gave them."""
    street = _leader_street(request)
    get_object_or_404(
        ValueSynonym.objects.visible_to(request.reach, "change"), pk=synonym_id, street=street
    ).delete()
    return redirect("import_mappings")


@login_required
@require_POST
def category_confirm(request, category_id):
    """确认 a category an import created, with its 待确认 parents: it loses its mark."""
    street = _leader_street(request)
    category = next(
        (c for c, _ in _unconfirmed_categories(request.reach, street) if c.pk == category_id),
        None,
    )
    if category is None:
        raise Http404("没有这个待确认的分类。")
    chain = [int(pk) for pk in category.path.strip("/").split("/")]
    Category.objects.filter(pk__in=chain, unconfirmed=True).update(unconfirmed=False)
    messages.success(request, f"已确认问题分类:{category.full_name}")
    return redirect("import_mappings")


@login_required
@require_POST
def mapping_delete(request, mapping_id):
    street = _desk_street(request)
    get_object_or_404(
        ColumnMapping.objects.visible_to(request.reach), pk=mapping_id, street=street
    ).delete()
    return redirect("import_mappings")
