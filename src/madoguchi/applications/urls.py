"""Citizen pages of applications, mounted at ``/procedures/`` (in i18n_patterns: ``/en/procedures/…`` too)."""

from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("apply/<slug:slug>/", views.start, name="start"),
    path("apply/<slug:slug>/d/<str:token>/verify/", views.verify, name="verify"),
    path("apply/<slug:slug>/d/<str:token>/", views.resume, name="resume"),
    path("apply/<slug:slug>/d/<str:token>/step/<int:n>/", views.step, name="step"),
    path("apply/<slug:slug>/d/<str:token>/confirm/", views.confirm, name="confirm"),
    path("apply/<slug:slug>/done/<str:reference>/", views.done, name="done"),
    path("status/", views.status, name="status"),
    path("status/<str:reference>/", views.detail, name="detail"),
    path("status/<str:reference>/correction/", views.correction, name="correction"),
    path("status/<str:reference>/withdraw/", views.withdraw, name="withdraw"),
]
