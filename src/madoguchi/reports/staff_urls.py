"""Staff pages under ``/reports/staff/`` (namespace ``reports_staff``): outside ``i18n_patterns``, no ``/en/``
address; their language is the cookie's (``madoguchi.i18n.StaffLanguageMiddleware``)."""

from django.urls import path

from . import staff_views

app_name = "reports_staff"

urlpatterns = [
    path("", staff_views.queue, name="staff_queue"),
    path("<int:pk>/", staff_views.report, name="staff_report"),
    path("wards/", staff_views.wards, name="staff_wards"),
    path("keys/", staff_views.keys, name="staff_keys"),
    path("keys/<int:pk>/revoke/", staff_views.revoke_key, name="staff_revoke_key"),
]
