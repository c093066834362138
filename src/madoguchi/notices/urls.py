"""URLs of the notices app (namespace ``notices``, mounted at ``/notices/``)."""

from django.urls import path

from . import feeds, staff_views, views

app_name = "notices"
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("v/<str:token>/", views.verify, name="verify"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("r/<str:token>", views.click, name="click"),
    path("t/<slug:slug>/", views.topic, name="topic"),
    path("n/<int:pk>/", views.detail, name="detail"),
    path("feed/<slug:slug>/rss.xml", feeds.TopicRss(), name="rss"),
    path("feed/<slug:slug>/atom.xml", feeds.TopicAtom(), name="atom"),
    path("line/webhook", views.line_webhook, name="line_webhook"),
    path("push/subscribe", views.push_subscribe, name="push_subscribe"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("staff/", staff_views.home, name="staff_home"),
    path("staff/new", staff_views.new, name="staff_new"),
    path("staff/<int:pk>/", staff_views.notice, name="staff_notice"),
    path("staff/<int:pk>/send", staff_views.send, name="staff_send"),
]
