"""The API's URLs under /api/v1/ (namespace "api"); the schema and its browser are in dsar/urls.py.
Anything else under /api/ is a 404 in the API's error shape."""

from django.urls import path, re_path

from cases.api import errors, views

app_name = "api"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("vendors/", views.VendorListView.as_view(), name="vendor_list"),
    path("vendors/<int:vendor_id>/", views.VendorDetailView.as_view(), name="vendor_detail"),
    path("authorities/", views.AuthorityListView.as_view(), name="authority_list"),
    path(
        "authorities/<int:authority_id>/",
        views.AuthorityDetailView.as_view(),
        name="authority_detail",
    ),
    path("statistics/vendors/", views.VendorStatisticsView.as_view(), name="vendor_statistics"),
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/<int:case_id>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:case_id>/mark-sent/", views.MarkSentView.as_view(), name="case_mark_sent"),
    path("cases/<int:case_id>/delivery/", views.DeliveryView.as_view(), name="case_delivery"),
    path(
        "cases/<int:case_id>/identity-requested/",
        views.IdentityRequestedView.as_view(),
        name="case_identity_requested",
    ),
    path(
        "cases/<int:case_id>/identity-provided/",
        views.IdentityProvidedView.as_view(),
        name="case_identity_provided",
    ),
    path("cases/<int:case_id>/extension/", views.ExtensionView.as_view(), name="case_extension"),
    path("cases/<int:case_id>/response/", views.ResponseView.as_view(), name="case_response"),
    path("cases/<int:case_id>/close/", views.CloseView.as_view(), name="case_close"),
    path("cases/<int:case_id>/events/", views.CaseEventListView.as_view(), name="case_events"),
    path(
        "cases/<int:case_id>/deadlines/",
        views.CaseDeadlineListView.as_view(),
        name="case_deadlines",
    ),
    path(
        "cases/<int:case_id>/incidents/",
        views.IncidentListView.as_view(),
        name="case_incidents",
    ),
    path(
        "cases/<int:case_id>/incidents/<int:incident_id>/",
        views.IncidentDetailView.as_view(),
        name="case_incident",
    ),
    path("cases/<int:case_id>/evidence/", views.EvidenceListView.as_view(), name="case_evidence"),
    path(
        "cases/<int:case_id>/evidence/<int:evidence_id>/",
        views.EvidenceDetailView.as_view(),
        name="case_evidence_detail",
    ),
    path(
        "cases/<int:case_id>/evidence/<int:evidence_id>/download/",
        views.EvidenceDownloadView.as_view(),
        name="case_evidence_download",
    ),
    path("cases/<int:case_id>/letters/", views.LetterListView.as_view(), name="case_letters"),
    path(
        "cases/<int:case_id>/letters/<int:letter_id>/",
        views.LetterDetailView.as_view(),
        name="case_letter",
    ),
    path(
        "cases/<int:case_id>/letters/<int:letter_id>/pdf/",
        views.LetterPdfView.as_view(),
        name="case_letter_pdf",
    ),
    path("deadlines/", views.DeadlineListView.as_view(), name="deadline_list"),
    path(
        "webhooks/endpoints/",
        views.WebhookEndpointListView.as_view(),
        name="webhook_endpoint_list",
    ),
    path(
        "webhooks/endpoints/<int:endpoint_id>/",
        views.WebhookEndpointDetailView.as_view(),
        name="webhook_endpoint_detail",
    ),
    path(
        "webhooks/deliveries/",
        views.WebhookDeliveryListView.as_view(),
        name="webhook_delivery_list",
    ),
    re_path(r"^.*$", errors.not_found),
]
