from django.urls import path, re_path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("datasets/", views.dataset_list, name="datasets"),
    path("datasets/<slug:slug>/", views.dataset_detail, name="dataset"),
    path("datasets/<slug:slug>/resources/<int:resource_id>/", views.resource_detail, name="resource"),
    re_path(r"^datasets/(?P<slug>[-\w]+)/resources/(?P<resource_id>\d+)/download\.(?P<fmt>csv|json|parquet)$",
            views.download, name="download"),
    re_path(r"^datasets/(?P<slug>[-\w]+)/resources/(?P<resource_id>\d+)/versions/(?P<number>\d+)/"
            r"download\.(?P<fmt>csv|json|parquet)$", views.download, name="version_download"),
    path("datasets/<slug:slug>/resources/<int:resource_id>/versions/<int:number>/original",
         views.original, name="original"),
]
