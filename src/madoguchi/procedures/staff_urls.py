"""Staff pages at ``/staff/procedures/`` (namespace ``procedures_staff``)."""

from django.urls import path

from . import staff_views

app_name = "procedures_staff"
urlpatterns = [
    path("", staff_views.staff_list, name="list"),
    path("<int:pk>/", staff_views.staff_edit, name="edit"),
]
