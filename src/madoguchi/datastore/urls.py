from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("upload/", views.upload, name="upload"),
    path("jobs/<uuid:job_id>/", views.job, name="job"),
    path("jobs/<uuid:job_id>/status", views.job_status, name="job_status"),
    path("resources/<int:resource_id>/dictionary/", views.dictionary, name="dictionary"),
]
