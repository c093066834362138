"""Staff pages under ``/consultations/staff/`` (namespace ``consultations_staff``): outside ``i18n_patterns``,
no ``/en/`` address; their language is the cookie's (``madoguchi.i18n.StaffLanguageMiddleware``)."""

from django.urls import path

from . import staff_views

app_name = "consultations_staff"

urlpatterns = [
    path("", staff_views.home, name="staff"),
    path("new/", staff_views.edit, name="staff_new"),
    path("<int:pk>/", staff_views.edit, name="staff_edit"),
    path("<int:pk>/opinions/", staff_views.work, name="staff_work"),
    path("<int:pk>/entry/", staff_views.entry, name="staff_entry"),
    path("<int:pk>/state/", staff_views.state, name="staff_state"),
    path("opinions/<int:pk>/split/", staff_views.split, name="staff_split"),
    path("opinions/<int:pk>/ungroup/", staff_views.ungroup, name="staff_ungroup"),
    path("groups/<int:pk>/", staff_views.group_edit, name="staff_group"),
]
