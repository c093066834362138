"""Public URLs of the notices app (namespace ``notices``, at ``/notices/`` and ``/en/notices/``: ``i18n_patterns``).
The feeds, the LINE webhook, the push endpoint and the one-click unsubscribe keep their unprefixed addresses
(mail, LINE and feed readers use those). The staff pages are in ``staff_urls`` (``notices_staff``, no ``/en/``)."""

from django.urls import path

from . import feeds, views

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
]
