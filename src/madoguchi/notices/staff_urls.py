"""Staff pages under ``/notices/staff/`` (namespace ``notices_staff``): outside ``i18n_patterns``, no ``/en/``
address; their language is the cookie's (``madoguchi.i18n.StaffLanguageMiddleware``)."""

from django.urls import path

from . import staff_views

app_name = "notices_staff"

urlpatterns = [
    path("", staff_views.home, name="staff_home"),
    path("new", staff_views.new, name="staff_new"),
    path("<int:pk>/", staff_views.notice, name="staff_notice"),
    path("<int:pk>/send", staff_views.send, name="staff_send"),
]
