"""URLs under ``/plans/`` (DESIGN.md section 6): public pages, and staff pages under ``/plans/staff/``."""

from django.urls import path

from . import staff_views as staff
from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("staff/", staff.dashboard, name="staff"),
    path("staff/new/", staff.plan_create, name="staff_plan_create"),
    path("staff/<slug:slug>/", staff.plan_edit, name="staff_plan"),
    path("staff/<slug:slug>/audit/", staff.audit_log, name="staff_audit"),
    path("staff/<slug:slug>/policies/<str:code>/", staff.policy_edit, name="staff_policy"),
    path("staff/<slug:slug>/policies/<str:code>/indicators/<str:indicator>/", staff.indicator_edit,
         name="staff_indicator"),
    path("staff/<slug:slug>/policies/<str:code>/evaluations/<int:year>/", staff.evaluation_edit,
         name="staff_evaluation"),
    path("<slug:slug>/", views.plan_detail, name="plan"),
    path("<slug:slug>/policies/<str:code>/", views.policy_detail, name="policy"),
    path("<slug:slug>/policies/<str:code>/evaluations/<int:year>/", views.evaluation_sheet, name="sheet"),
    path("<slug:slug>/policies/<str:code>/evaluations/<int:year>.xlsx", views.evaluation_xlsx, name="sheet_xlsx"),
]
