from django.urls import path

from . import staff_views, views

app_name = "faq"
urlpatterns = [
    path("", views.ask_page, name="ask"),
    path("handoff/", views.handoff, name="handoff"),
    path("staff/", staff_views.home, name="staff"),
    path("staff/entries/new/", staff_views.entry_edit, name="entry_new"),
    path("staff/entries/<int:pk>/", staff_views.entry_edit, name="entry_edit"),
    path("staff/import/", staff_views.import_page, name="import"),
    path("staff/export.<str:fmt>", staff_views.export, name="export"),
    path("staff/publish/", staff_views.publish, name="publish"),
    path("staff/synonyms/", staff_views.synonyms, name="synonyms"),
    path("staff/inquiries/", staff_views.inquiries, name="inquiries"),
    path("staff/inquiries/<int:pk>/", staff_views.inquiry, name="inquiry"),
    path("staff/analytics/", staff_views.analytics_page, name="analytics"),
    path("staff/calls/", staff_views.calls, name="calls"),
]
