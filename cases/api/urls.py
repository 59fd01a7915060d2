"""The API's URLs under /api/v1/ (namespace "api"); the schema and its browser are in dsar/urls.py.
Anything else under /api/ is a 404 in the API's error shape."""

from django.urls import path, re_path

from cases.api import errors, mail, views

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
    # One generic view for the actions of the table, at cases/<id>/<action>/ (e.g. mark-sent).
    *(
        path(
            endpoint.path(name),
            views.CaseActionView.for_action(name),
            name=f"case_{name}",
        )
        for name, endpoint in views.ACTION_ENDPOINTS.items()
    ),
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
    path("cases/<int:case_id>/messages/", mail.CaseMessageListView.as_view(), name="case_messages"),
    path("mail/queue/", mail.MailQueueView.as_view(), name="mail_queue"),
    re_path(r"^.*$", errors.not_found),
]

# Vendors' data exports (issue 18), kept in a module of their own.
from cases.api import exports  # noqa: E402

urlpatterns.insert(
    0,
    path(
        "cases/<int:case_id>/exports/",
        exports.VoiceExportListView.as_view(),
        name="case_exports",
    ),
)
urlpatterns.insert(
    1,
    path(
        "cases/<int:case_id>/exports/<int:export_id>/",
        exports.VoiceExportDetailView.as_view(),
        name="case_export",
    ),
)
