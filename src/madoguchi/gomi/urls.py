from django.urls import path

from . import views

app_name = "gomi"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("staff/not-found/", views.not_found_page, name="not_found"),
    path("staff/synonyms/add/", views.add_synonym, name="add_synonym"),
]
