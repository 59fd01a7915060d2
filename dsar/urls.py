"""URL map of the site. Evidence and letters are never served from a static or media route."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cases.api.errors import not_found as api_not_found
from cases.views import pages

urlpatterns = [
    path("healthz", pages.healthz, name="healthz"),
    path("favicon.ico", pages.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The REST API, its OpenAPI 3 schema and the schema's browser.
    path("api/v1/", include("cases.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI with its settings in a script file of its own (the split view: no inline
    # script); it styles its widgets inline, so its page alone allows inline styles.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api_schema")
        ),
        name="api_docs",
    ),
    re_path(r"^api/", api_not_found),
    path("", include("cases.urls")),
]
