from django.urls import path, re_path

from . import staff_views, views

app_name = "reservations"
urlpatterns = [
    path("", views.index, name="index"),
    path("facilities/<slug:slug>/", views.facility_detail, name="facility"),
    path("slots/<int:slot_id>/", views.slot_detail, name="slot"),
    path("slots/<int:slot_id>/book", views.book, name="book"),
    path("slots/<int:slot_id>/apply", views.apply, name="apply"),
    path("bookings/<int:booking_id>/cancel", views.cancel, name="cancel"),
    path("entries/<int:entry_id>/withdraw", views.withdraw, name="withdraw"),
    path("mine/", views.mine, name="mine"),
    path("lottery/", views.period_list, name="periods"),
    path("lottery/<int:period_id>/", views.period_detail, name="period"),
    re_path(r"^lottery/(?P<period_id>\d+)/(?P<which>entries|results)\.csv$", views.period_file, name="period_file"),
    path("login/", views.ReservationLoginView.as_view(), name="login"),
    path("logout/", views.ReservationLogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("staff/", staff_views.dashboard, name="staff"),
    path("staff/slots", staff_views.generate_slots, name="staff_slots"),
    path("staff/periods/new/", staff_views.period_new, name="staff_period_new"),
    path("staff/periods/<int:period_id>/", staff_views.period_detail, name="staff_period"),
    path("staff/periods/<int:period_id>/draw", staff_views.period_draw, name="staff_draw"),
    re_path(r"^staff/periods/(?P<period_id>\d+)/results\.(?P<fmt>xlsx|csv)$", staff_views.period_export,
            name="staff_export"),
    path("staff/facilities/<slug:slug>/", staff_views.facility_bookings, name="staff_facility"),
    path("staff/bookings/<int:booking_id>/cancel", staff_views.booking_cancel, name="staff_cancel"),
    path("staff/bookings/<int:booking_id>/no-show", staff_views.booking_no_show, name="staff_no_show"),
    path("staff/stats/", staff_views.stats, name="staff_stats"),
]
