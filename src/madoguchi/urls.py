"""URL map (DESIGN.md section 6 is the public contract)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("madoguchi.ckan.urls")),
    path("staff/", include("madoguchi.datastore.urls")),
    path("staff/privacy/", include("madoguchi.privacy.urls")),
    path("plans/", include("madoguchi.plans.urls")),
    path("standards/", include("madoguchi.standards.urls")),
    path("consultations/", include("madoguchi.consultations.urls")),
    path("reports/", include("madoguchi.reports.urls")),
    path("open311/v2/", include("madoguchi.reports.open311_urls")),
    path("emergency/", include("madoguchi.emergency.urls")),
    path("signage/", include("madoguchi.emergency.signage_urls")),
    path("notices/", include("madoguchi.notices.urls")),
    path("easy/", include("madoguchi.easy.urls")),
    path("", include("madoguchi.quality.urls")),
]

#: The pages in Japanese at ``/…`` and in English at ``/en/…`` (issue #18). A Django namespace is
#: one include, so an app's feeds, downloads and staff pages come along at ``/en/…`` too (they
#: answer the same there); the API, CKAN, Open311, admin and ``/staff/`` stay above, unprefixed.
urlpatterns += i18n_patterns(
    path("garbage/", include("madoguchi.gomi.urls")),
    path("shelters/", include("madoguchi.shelters.urls")),
    path("reservations/", include("madoguchi.reservations.urls")),
    path("events/", include("madoguchi.events.urls")),
    path("counters/", include("madoguchi.counters.urls")),
    path("faq/", include("madoguchi.faq.urls")),
    path("", include("madoguchi.catalog.urls")),
    prefix_default_language=False,
)
