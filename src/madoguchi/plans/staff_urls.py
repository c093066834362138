"""Staff pages under ``/plans/staff/`` (namespace ``plans_staff``): outside ``i18n_patterns``, so they have
no ``/en/`` address; their language is the cookie's (``madoguchi.i18n.StaffLanguageMiddleware``)."""

from django.urls import path

from . import staff_views as staff

app_name = "plans_staff"

urlpatterns = [
    path("", staff.dashboard, name="staff"),
    path("new/", staff.plan_create, name="staff_plan_create"),
    path("<slug:slug>/", staff.plan_edit, name="staff_plan"),
    path("<slug:slug>/audit/", staff.audit_log, name="staff_audit"),
    path("<slug:slug>/policies/<str:code>/", staff.policy_edit, name="staff_policy"),
    path("<slug:slug>/policies/<str:code>/indicators/<str:indicator>/", staff.indicator_edit,
         name="staff_indicator"),
    path("<slug:slug>/policies/<str:code>/evaluations/<int:year>/", staff.evaluation_edit,
         name="staff_evaluation"),
]
