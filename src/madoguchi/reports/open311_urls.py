"""``/open311/v2/`` — Open311 GeoReport v2 (namespace ``open311``)."""

from django.urls import re_path

from . import open311_views as views

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)"
urlpatterns = [
    re_path(rf"^services{FMT}$", views.service_list, name="services"),
    re_path(rf"^services/(?P<code>[-\w]+){FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests{FMT}$", views.requests_view, name="requests"),
    re_path(rf"^requests/(?P<pk>\d+){FMT}$", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[-\w]+){FMT}$", views.token_view, name="token"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
