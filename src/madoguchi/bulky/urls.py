from django.urls import path

from . import views

app_name = "bulky"
urlpatterns = [
    path("", views.start, name="start"),
    path("cart/", views.cart, name="cart"),
    path("apply/", views.apply, name="apply"),
    path("submit/", views.submit, name="submit"),
    path("status/", views.status, name="status"),
]
