from django.urls import path, re_path

from . import views

app_name = "standards"
urlpatterns = [
    path("", views.standard_list, name="list"),
    re_path(r"^(?P<standard_id>[a-z0-9][-a-z0-9]*)\.json$", views.standard_schema, name="schema"),
    re_path(r"^(?P<standard_id>[a-z0-9][-a-z0-9]*)/$", views.standard_detail, name="detail"),
]
