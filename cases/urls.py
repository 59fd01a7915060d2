from django.urls import path

from cases.views import pages

app_name = "cases"

urlpatterns = [
    path("", pages.landing, name="landing"),
    path("vendors/", pages.vendor_list, name="vendor_list"),
    path("authorities/", pages.authority_list, name="authority_list"),
    path("cases/<int:case_id>/", pages.case_detail, name="case_detail"),
    path("account/", pages.account, name="account"),
    path("account/calendar/reset/", pages.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", pages.calendar_feed, name="calendar_feed"),
]

# --- The consumer's journey: request form, accounts, case actions, evidence, own data ---------

# --- Letters ---------------------------------------------------------------------------------
