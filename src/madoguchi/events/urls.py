"""``/events/`` (DESIGN.md section 6)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .syndication import EventRss

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("calendar.ics", views.calendar_ics, name="ical"),
    path("feed.rss", EventRss(), name="rss"),
    path("events.csv", views.events_csv, name="csv"),
    path("<int:event_id>/", views.event_detail, name="detail"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/events/"), name="logout"),
    path("mine/", views.my_events, name="mine"),
    path("new/", views.event_new, name="new"),
    path("<int:event_id>/edit/", views.event_edit, name="edit"),
    path("<int:event_id>/submit", views.event_submit, name="submit"),
    path("<int:event_id>/publish", views.event_publish, name="publish"),
    path("<int:event_id>/reject", views.event_reject, name="reject"),
    path("<int:event_id>/unpublish", views.event_unpublish, name="unpublish"),
    path("staff/", views.staff_review, name="staff"),
    path("staff/feeds/", views.staff_feeds, name="staff_feeds"),
    path("staff/feeds/<int:feed_id>/refresh", views.staff_feed_refresh, name="staff_feed_refresh"),
]
