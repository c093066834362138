"""Staff pages: dashboard, upload with live progress (htmx polling), ingestion report."""

from __future__ import annotations

from pathlib import Path

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from madoguchi.catalog.models import Dataset
from madoguchi.privacy import services as privacy
from madoguchi.privacy.services import OverrideForm

from . import services, snapshots
from .forms import UploadForm
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
    return context


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
    return render(request, "staff/job.html", _job_context(job, forms), status=400 if forms else 200)


@staff_member_required
def job_status(request: HttpRequest, job_id) -> HttpResponse:
    """The progress fragment polled by htmx every second until the job ends."""
    return render(request, "staff/_job_status.html",
                  _job_context(get_object_or_404(IngestJob.objects.select_related("dataset"), pk=job_id)))
