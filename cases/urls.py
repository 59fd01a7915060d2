from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("vendors/", views.vendor_list, name="vendor_list"),
    path("authorities/", views.authority_list, name="authority_list"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("account/", views.account, name="account"),
    path("account/calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
