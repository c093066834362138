from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    name = "madoguchi.reservations"
    verbose_name = "施設予約 (Reservations)"
