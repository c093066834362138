from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("life-events/", views.life_events, name="life_events"),
    path("life-events/<str:event>/", views.life_event, name="life_event"),
]
