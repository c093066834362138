"""URL map (DESIGN.md section 6 is the public contract)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("madoguchi.ckan.urls")),
    path("staff/applications/", include("madoguchi.applications.staff_urls")),
    path("staff/", include("madoguchi.datastore.urls")),
    path("staff/privacy/", include("madoguchi.privacy.urls")),
    path("staff/bulky/", include("madoguchi.bulky.staff_urls")),  # fee review, route lists (issue #14)
    path("staff/procedures/", include("madoguchi.procedures.staff_urls")),  # procedure guide (issue #14)
    path("staff/forms/", include("madoguchi.eforms.urls")),  # form builder (issue #14)
    path("plans/staff/", include("madoguchi.plans.staff_urls")),
    path("consultations/staff/", include("madoguchi.consultations.staff_urls")),
    path("reports/staff/", include("madoguchi.reports.staff_urls")),
    path("notices/staff/", include("madoguchi.notices.staff_urls")),
    path("", include("madoguchi.quality.staff_urls")),  # /staff/quality/
    path("open311/v2/", include("madoguchi.reports.open311_urls")),
    path("emergency/", include("madoguchi.emergency.urls")),
    path("signage/", include("madoguchi.emergency.signage_urls")),
    path("easy/", include("madoguchi.easy.urls")),
]

#: The pages in Japanese at ``/…`` and in English at ``/en/…`` (issue #18). A Django namespace is
#: one include, so an app's feeds and downloads come along at ``/en/…`` too (they answer the same
#: there, and keep their unprefixed address); staff pages are separate includes (``<app>_staff``
#: namespaces) above, with the API, CKAN, Open311, signage and admin, unprefixed only.
urlpatterns += i18n_patterns(
    path("garbage/", include("madoguchi.gomi.urls")),
    path("shelters/", include("madoguchi.shelters.urls")),
    path("reservations/", include("madoguchi.reservations.urls")),
    path("events/", include("madoguchi.events.urls")),
    path("counters/", include("madoguchi.counters.urls")),
    path("faq/", include("madoguchi.faq.urls")),
    path("procedures/bulky-waste/", include("madoguchi.bulky.urls")),  # before applications' procedures/
    path("procedures/", include("madoguchi.applications.urls")),
    path("procedures/", include("madoguchi.procedures.urls")),  # procedure guide, life-event guide (issue #14)
    path("plans/", include("madoguchi.plans.urls")),
    path("standards/", include("madoguchi.standards.urls")),
    path("consultations/", include("madoguchi.consultations.urls")),
    path("reports/", include("madoguchi.reports.urls")),
    path("notices/", include("madoguchi.notices.urls")),
    path("", include("madoguchi.quality.urls")),  # a resource's quality report, before the catalogue's pages
    path("", include("madoguchi.catalog.urls")),
    prefix_default_language=False,
)
