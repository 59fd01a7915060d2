"""URL map of the site. Evidence and letters are never served from a static or media route."""

from django.contrib import admin
from django.urls import include, path

from cases.views import pages

urlpatterns = [
    path("healthz", pages.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("cases.urls")),
]
