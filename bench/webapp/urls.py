"""Every production URL, plus the two bare views the benchmark compares against."""

from django.urls import include, path

from bench.webapp import views

urlpatterns = [
    path("bench/insert/", views.bare_insert),
    path("bench/case-writes/", views.bare_case_writes),
    path("bench/select/<int:pk>/", views.bare_select),
    path("", include("dsar.urls")),
]
