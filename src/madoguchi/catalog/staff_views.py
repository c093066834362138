"""Staff pages of the catalog: create a dataset without Django admin (``/staff/datasets/new/``).

Who may call: staff (``is_staff``; others are sent to the log-in page). POST needs the CSRF token.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import services
from .forms import StaffDatasetForm


@staff_member_required
def dataset_new(request: HttpRequest) -> HttpResponse:
    """Create a dataset (its catalog record); files are added next on the upload page."""
    form = StaffDatasetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dataset = form.save()
        services.reindex_dataset(dataset)
        messages.success(request, _("データセット「%(title)s」を作りました。ファイルを取り込んでください。")
                         % {"title": dataset.title})
        return redirect(f"{_upload_url()}?dataset={dataset.pk}")
    return render(request, "catalog/dataset_new.html", {"form": form}, status=400 if form.errors else 200)


def _upload_url() -> str:
    from django.urls import reverse

    return reverse("staff:upload")
