from django.urls import path

from . import views

app_name = "emergency"
urlpatterns = [
    path("", views.index, name="index"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("staff/", views.staff_page, name="staff"),
    path("staff/mode/", views.staff_mode, name="staff-mode"),
    path("staff/upload/", views.staff_upload, name="staff-upload"),
    path("staff/fetch/", views.staff_fetch, name="staff-fetch"),
    path("staff/dispatches/<int:pk>/", views.staff_dispatch, name="staff-dispatch"),
    path("staff/rules/new/", views.staff_rule, name="staff-rule-new"),
    path("staff/rules/<int:pk>/", views.staff_rule, name="staff-rule"),
]
