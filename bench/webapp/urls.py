"""Every production URL, plus the bare views the benchmarks compare against."""

from django.urls import include, path

from bench.webapp import api_views, views

urlpatterns = [
    path("bench/insert/", views.bare_insert),
    path("bench/case-writes/", views.bare_case_writes),
    path("bench/select/<int:pk>/", views.bare_select),
    path("bench/case/<int:pk>/", views.bare_case_page),
    path("bench/vendors/", views.bare_vendor_list),
    path("bench/form/<slug:slug>/", views.bare_request_form),
    path("bench/bare-cases/<int:organisation_id>/", api_views.BareOrganisationCaseList.as_view()),
    path("", include("dsar.urls")),
]
