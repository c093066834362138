from django.urls import path

from . import staff_views, views

app_name = "consultations"
urlpatterns = [
    path("", views.index, name="index"),
    path("staff/", staff_views.home, name="staff"),
    path("staff/new/", staff_views.edit, name="staff_new"),
    path("staff/<int:pk>/", staff_views.edit, name="staff_edit"),
    path("staff/<int:pk>/opinions/", staff_views.work, name="staff_work"),
    path("staff/<int:pk>/entry/", staff_views.entry, name="staff_entry"),
    path("staff/<int:pk>/state/", staff_views.state, name="staff_state"),
    path("staff/opinions/<int:pk>/split/", staff_views.split, name="staff_split"),
    path("staff/opinions/<int:pk>/ungroup/", staff_views.ungroup, name="staff_ungroup"),
    path("staff/groups/<int:pk>/", staff_views.group_edit, name="staff_group"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/opinion/", views.opinion, name="opinion"),
    path("<slug:slug>/opinion/thanks/", views.thanks, name="thanks"),
    path("<slug:slug>/result/", views.result, name="result"),
    path("<slug:slug>/result/print/", views.result_print, name="result_print"),
    path("<slug:slug>/result.<str:fmt>", views.result_download, name="result_download"),
]
