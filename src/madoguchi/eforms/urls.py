"""Staff pages of the form builder, under ``/staff/forms/``."""

from django.urls import path

from . import staff_views

app_name = "eforms_staff"

urlpatterns = [
    path("", staff_views.form_list, name="list"),
    path("new/", staff_views.form_settings, name="new"),
    path("<slug:slug>/", staff_views.form_settings, name="settings"),
    path("<slug:slug>/fields/", staff_views.form_fields, name="fields"),
    path("<slug:slug>/preview/", staff_views.form_preview, name="preview"),
    path("<slug:slug>/publish/", staff_views.form_publish, name="publish"),
    path("<slug:slug>/unpublish/", staff_views.form_unpublish, name="unpublish"),
    path("<slug:slug>/versions/", staff_views.form_versions, name="versions"),
    path("<slug:slug>/versions/<int:number>/schema.json", staff_views.version_schema, name="schema"),
]
