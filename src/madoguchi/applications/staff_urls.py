"""URLs of the staff pages of applications, mounted at ``/staff/applications/`` (namespace ``applications_staff``)."""

from django.urls import path, re_path

from . import staff_views

app_name = "applications_staff"

urlpatterns = [
    path("", staff_views.queue, name="queue"),
    re_path(r"^export\.(?P<fmt>xlsx|csv)$", staff_views.export, name="export"),
    path("audit/", staff_views.audit, name="audit"),
    path("<str:reference>/", staff_views.detail, name="detail"),
    path("<str:reference>/files/<int:file_id>/", staff_views.download, name="download"),
    path("<str:reference>/assign/", staff_views.assign, name="assign"),
    path("<str:reference>/status/", staff_views.change_status, name="status"),
    path("<str:reference>/correction/", staff_views.correction, name="correction"),
    path("<str:reference>/notes/", staff_views.note, name="note"),
]
