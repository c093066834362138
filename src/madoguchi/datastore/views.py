"""Staff pages: dashboard, upload with live progress (htmx polling), ingestion report."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from madoguchi.catalog.models import Dataset

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
        work = snapshots.root() / "uploads"
        work.mkdir(parents=True, exist_ok=True)
        job = IngestJob(dataset=form.cleaned_data["dataset"], original_name=Path(f.name).name,
                        resource_name=form.cleaned_data["resource_name"] or Path(f.name).name,
                        options={k: form.cleaned_data[k] for k in ("sheet", "json_path") if form.cleaned_data[k]},
                        created_by=request.user)
        target = work / f"{job.pk}.upload"
        with open(target, "wb") as out:
            for chunk in f.chunks():
                out.write(chunk)
        job.upload_path = snapshots.relative(target)
        job.save()
        if getattr(settings, "INGEST_JOBS_INLINE", False):
            services.run_job(job.pk)
        else:
            services.run_job_in_thread(job.pk)
        return redirect("staff:job", job_id=job.pk)
    return render(request, "staff/upload.html", {"form": form})


@staff_member_required
def job(request: HttpRequest, job_id) -> HttpResponse:
    return render(request, "staff/job.html", {"job": get_object_or_404(IngestJob, pk=job_id)})


@staff_member_required
def job_status(request: HttpRequest, job_id) -> HttpResponse:
    """The progress fragment polled by htmx every second until the job ends."""
    return render(request, "staff/_job_status.html", {"job": get_object_or_404(IngestJob, pk=job_id)})
