from django.urls import path, re_path

from . import staff_views, views, views_metadata

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
    re_path(r"^catalog\.(?P<fmt>ttl|jsonld)$", views_metadata.catalog_rdf, name="catalog_rdf"),
    re_path(r"^datasets/(?P<slug>[-a-zA-Z0-9_]+)\.(?P<fmt>ttl|jsonld)$", views_metadata.dataset_rdf,
            name="dataset_rdf"),
    path("datasets/<slug:slug>/datapackage.json", views_metadata.datapackage, name="datapackage"),
    path("staff/datasets/new/", staff_views.dataset_new, name="dataset_new"),
]
