"""Public pages under ``/consultations/`` and ``/en/consultations/`` (``i18n_patterns``); the staff pages are in
``staff_urls`` (namespace ``consultations_staff``, at ``/consultations/staff/`` only)."""

from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/opinion/", views.opinion, name="opinion"),
    path("<slug:slug>/opinion/thanks/", views.thanks, name="thanks"),
    path("<slug:slug>/result/", views.result, name="result"),
    path("<slug:slug>/result/print/", views.result_print, name="result_print"),
    path("<slug:slug>/result.<str:fmt>", views.result_download, name="result_download"),
]
