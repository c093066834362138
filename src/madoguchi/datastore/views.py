"""Staff pages: dashboard, upload with live progress (htmx polling), ingestion report, data dictionary."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from madoguchi.catalog import services as catalog
from madoguchi.catalog.models import Dataset
from madoguchi.privacy import services as privacy
from madoguchi.privacy.services import OverrideForm

from . import services, snapshots
from .forms import DictionaryForm, UploadForm
from .models import IngestJob


@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    datasets = Dataset.objects.select_related("organization").order_by("-modified")
    return render(request, "staff/dashboard.html", {"datasets": datasets, "jobs": IngestJob.objects.all()[:10]})


@staff_member_required
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, initial={"dataset": request.GET.get("dataset")})
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        job = services.create_job(dataset=form.cleaned_data["dataset"], original_name=Path(f.name).name,
                                  resource_name=form.cleaned_data["resource_name"] or Path(f.name).name,
                                  chunks=f.chunks(), user=request.user,
                                  options={k: form.cleaned_data[k] for k in ("sheet", "json_path")})
        services.enqueue_job(job)  # run by `madoguchi worker`; the job page polls its progress
        return redirect("staff:job", job_id=job.pk)
    return render(request, "staff/upload.html", {"form": form})


def _job_context(job: IngestJob, forms: dict | None = None) -> dict:
    """The job, and for a privacy-blocked one its findings (with overrides recorded since) and a form each."""
    context: dict = {"job": job}
    if job.state == IngestJob.State.FAILED and (job.error or {}).get("code") == "privacy_blocked":
        findings = privacy.with_overrides(job.dataset, job.resource_name, job.error.get("findings") or [])
        forms = forms or {}
        context["findings"] = [
            (f, forms.get((f["column"], f["kind"])) or
             OverrideForm(initial={"column": f["column"], "kind": f["kind"]}, prefix=f"f{i}"))
            for i, f in enumerate(findings)]
        context["can_rerun"] = all(f["override"] for f in findings) and snapshots.upload_exists(job.upload_path)
        context["upload_kept"] = snapshots.upload_exists(job.upload_path)
    if job.state == IngestJob.State.FAILED and (job.error or {}).get("code") == "type_override_unfit":
        context["unfit"] = _unfit_cells(job.error)
        context["can_blank"] = snapshots.upload_exists(job.upload_path)
    if job.options.get("types"):
        resource = job.dataset.resources.filter(name=job.resource_name).first()
        context["dictionary_resource"] = resource
    return context


def _unfit_cells(error: dict) -> list[dict]:
    """The cells a type override did not fit, ``[{column, row, value}]``, from the job's error
    (``cells``/``unfit`` lists of ``{column, row(s), value(s)}`` as ingestion reports them)."""
    out = []
    for item in error.get("cells") or error.get("unfit") or []:
        if not isinstance(item, dict):
            continue
        rows, values = item.get("rows"), item.get("values") or item.get("examples")
        if rows is not None:  # one entry per column
            values = list(values or [])
            for i, row in enumerate(rows):
                out.append({"column": item.get("column"), "row": row,
                            "value": values[i] if i < len(values) else None})
        else:
            out.append({"column": item.get("column"), "row": item.get("row"), "value": item.get("value")})
    return out


@staff_member_required
def job(request: HttpRequest, job_id) -> HttpResponse:
    """The job page. POST ``action=override`` (+ the finding's form) records an override
    (``privacy.record_override``); POST ``action=rerun`` ingests the kept upload again."""
    job = get_object_or_404(IngestJob.objects.select_related("dataset"), pk=job_id)
    forms = {}
    if request.method == "POST" and job.state == IngestJob.State.FAILED:
        if request.POST.get("action") == "override":
            prefix = request.POST.get("prefix", "")
            form = OverrideForm(request.POST, prefix=prefix)
            if form.is_valid():
                privacy.record_override(dataset=job.dataset, resource_name=job.resource_name,
                                        column=form.cleaned_data["column"], kind=form.cleaned_data["kind"],
                                        reason=form.cleaned_data["reason"], user=request.user)
                return redirect("staff:job", job_id=job.pk)
            forms[(form.data.get(f"{prefix}-column"), form.data.get(f"{prefix}-kind"))] = form
        elif request.POST.get("action") == "rerun" and snapshots.upload_exists(job.upload_path):
            services.rerun_job(job)
            return redirect("staff:job", job_id=job.pk)
        elif (request.POST.get("action") == "blank_unfit" and (job.error or {}).get("code") == "type_override_unfit"
              and snapshots.upload_exists(job.upload_path)):
            services.rerun_job(job, blank_unfit=True)
            return redirect("staff:job", job_id=job.pk)
    return render(request, "staff/job.html", _job_context(job, forms), status=400 if forms else 200)


@staff_member_required
def job_status(request: HttpRequest, job_id) -> HttpResponse:
    """The progress fragment polled by htmx every second until the job ends."""
    return render(request, "staff/_job_status.html",
                  _job_context(get_object_or_404(IngestJob.objects.select_related("dataset"), pk=job_id)))


@staff_member_required
def dictionary(request: HttpRequest, resource_id: int) -> HttpResponse:
    """The data dictionary of a resource (staff; a deleted dataset's resources are 404): per column
    表示名, 説明 and 型の指定. Saving a changed 型の指定 re-ingests the current original file
    (``services.save_data_dictionary``) and goes to the job's page, which shows its progress."""
    resource = get_object_or_404(catalog.visible_resources(request.user), pk=resource_id)
    version = resource.current_version
    if version is None or not version.has_table:
        raise Http404("公開された表がありません")
    entries = services.data_dictionary(resource)
    form = DictionaryForm(request.POST or None, entries=entries)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.save_data_dictionary(resource, form.changes(), user=request.user,
                                                blank_unfit=form.cleaned_data["blank_unfit"])
        except services.DictionaryError as exc:
            form.add_error(None, exc.message)
        else:
            if job is not None:
                return redirect("staff:job", job_id=job.pk)
            messages.success(request, "データ辞書を保存しました")
            return redirect("staff:dictionary", resource_id=resource.pk)
    return render(request, "staff/dictionary.html", {"resource": resource, "version": version, "form": form},
                  status=400 if form.errors else 200)
