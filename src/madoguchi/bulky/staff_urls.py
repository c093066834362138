from django.urls import path

from . import views

app_name = "bulky_staff"
urlpatterns = [
    path("fees/", views.fee_list, name="fees"),
    path("fees/<int:pk>/", views.fee_edit, name="fee_edit"),
    path("route/", views.route, name="route"),
]
