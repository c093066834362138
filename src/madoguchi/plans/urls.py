"""Public pages under ``/plans/`` and ``/en/plans/`` (DESIGN.md section 6; ``i18n_patterns``). The staff pages
under ``/plans/staff/`` are in ``staff_urls`` (namespace ``plans_staff``, no ``/en/`` address)."""

from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("<slug:slug>/", views.plan_detail, name="plan"),
    path("<slug:slug>/policies/<str:code>/", views.policy_detail, name="policy"),
    path("<slug:slug>/policies/<str:code>/evaluations/<int:year>/", views.evaluation_sheet, name="sheet"),
    path("<slug:slug>/policies/<str:code>/evaluations/<int:year>.xlsx", views.evaluation_xlsx, name="sheet_xlsx"),
]
