from django.urls import path

from cases.views import accounts, journey, pages

app_name = "cases"

urlpatterns = [
    path("", pages.landing, name="landing"),
    path("vendors/", pages.vendor_list, name="vendor_list"),
    path("authorities/", pages.authority_list, name="authority_list"),
    path("cases/<int:case_id>/", journey.case_detail, name="case_detail"),
    path("account/", pages.account, name="account"),
    path("account/calendar/reset/", pages.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", pages.calendar_feed, name="calendar_feed"),
]

# --- The consumer's journey: request form, accounts, case actions, evidence, own data ---------

urlpatterns += [
    path("requests/new/", journey.request_new, name="request_new"),
    path("requests/new/<slug:vendor_slug>/", journey.request_details, name="request_details"),
    path("requests/confirm/", journey.request_confirm, name="request_confirm"),
    path("cases/", journey.my_cases, name="my_cases"),
    path("cases/<int:case_id>/sent/", journey.case_mark_sent, name="case_mark_sent"),
    path("cases/<int:case_id>/delivered/", journey.case_delivery, name="case_delivery"),
    path(
        "cases/<int:case_id>/identity-requested/",
        journey.case_identity_requested,
        name="case_identity_requested",
    ),
    path(
        "cases/<int:case_id>/identity-provided/",
        journey.case_identity_provided,
        name="case_identity_provided",
    ),
    path(
        "cases/<int:case_id>/acknowledgement/",
        journey.case_acknowledgement,
        name="case_acknowledgement",
    ),
    path("cases/<int:case_id>/extension/", journey.case_extension, name="case_extension"),
    path("cases/<int:case_id>/response/", journey.case_response, name="case_response"),
    path("cases/<int:case_id>/incidents/", journey.case_incident, name="case_incident"),
    path(
        "cases/<int:case_id>/authority-reply/",
        journey.case_authority_reply,
        name="case_authority_reply",
    ),
    path("cases/<int:case_id>/evidence/", journey.case_evidence, name="case_evidence"),
    path(
        "cases/<int:case_id>/evidence/<int:evidence_id>/",
        journey.evidence_download,
        name="evidence_download",
    ),
    path("cases/<int:case_id>/close/", journey.case_close, name="case_close"),
    path("cases/<int:case_id>/more/", journey.case_follow_up, name="case_follow_up"),
    path("cases/<int:case_id>/reminders/", journey.case_reminders, name="case_reminders"),
    path("account/register/", accounts.register, name="register"),
    path("account/login/", accounts.LoginView.as_view(), name="login"),
    path("account/logout/", accounts.logout_view, name="logout"),
    path("account/login/link/", accounts.login_link_request, name="login_link"),
    path(
        "account/login/link/<str:uidb64>/<str:token>/",
        accounts.login_link_use,
        name="login_link_use",
    ),
    path("account/verify/<str:uidb64>/<str:token>/", accounts.verify_email, name="verify_email"),
    path("account/verify/", accounts.verification_resend, name="verification_resend"),
    path("account/password/reset/", accounts.password_reset, name="password_reset"),
    path("account/password/reset/sent/", accounts.password_reset_done, name="password_reset_done"),
    path(
        "account/password/reset/<str:uidb64>/<str:token>/",
        accounts.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "account/password/reset/done/",
        accounts.password_reset_complete,
        name="password_reset_complete",
    ),
    path("account/export/", accounts.account_export, name="account_export"),
    path("account/delete/", accounts.account_delete, name="account_delete"),
]

# --- Letters ---------------------------------------------------------------------------------

# --- Advocacy workspace ----------------------------------------------------------------------
# Organisations (/org/<slug>/...), mandates on a case, campaigns' public pages, the audit trail
# and the public statistics.
from cases.views import workspace as ws  # noqa: E402

urlpatterns += [
    path("org/", ws.my_organisations, name="my_organisations"),
    path("org/new/", ws.organisation_new, name="organisation_new"),  # before org/<slug>/
    path("org/<slug:slug>/", ws.dashboard, name="org_dashboard"),
    path("org/<slug:slug>/bulk/", ws.bulk, name="org_bulk"),
    path("org/<slug:slug>/jobs/<int:job_id>/", ws.job_detail, name="org_job"),
    path("org/<slug:slug>/jobs/<int:job_id>/status/", ws.job_status, name="org_job_status"),
    path("org/<slug:slug>/jobs/<int:job_id>/requeue/", ws.job_requeue, name="org_job_requeue"),
    path("org/<slug:slug>/cases/<int:case_id>/", ws.org_case, name="org_case"),
    path("org/<slug:slug>/cases/<int:case_id>/assign/", ws.org_case_assign, name="org_case_assign"),
    path("org/<slug:slug>/cases/<int:case_id>/notes/", ws.org_case_note, name="org_case_note"),
    path(
        "org/<slug:slug>/mandates/<int:mandate_id>/revoke/",
        ws.org_mandate_revoke,
        name="org_mandate_revoke",
    ),
    path("org/<slug:slug>/members/", ws.members, name="org_members"),
    path("org/<slug:slug>/members/invite/", ws.member_invite, name="org_member_invite"),
    path(
        "org/<slug:slug>/members/<int:membership_id>/role/",
        ws.member_role,
        name="org_member_role",
    ),
    path(
        "org/<slug:slug>/members/<int:membership_id>/remove/",
        ws.member_remove,
        name="org_member_remove",
    ),
    path(
        "org/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        ws.invitation_revoke,
        name="org_invitation_revoke",
    ),
    path("org/<slug:slug>/settings/", ws.org_settings, name="org_settings"),
    path("org/<slug:slug>/campaigns/", ws.campaigns, name="org_campaigns"),
    path("org/<slug:slug>/campaigns/new/", ws.campaign_edit, name="org_campaign_new"),
    path(
        "org/<slug:slug>/campaigns/<slug:campaign_slug>/edit/",
        ws.campaign_edit,
        name="org_campaign_edit",
    ),
    path("org/<slug:slug>/statistics/", ws.org_stats, name="org_stats"),
    path("org/<slug:slug>/statistics/months/", ws.org_stats_months, name="org_stats_months"),
    path(
        "org/<slug:slug>/statistics.<str:fmt>",
        ws.org_stats,
        name="org_stats_download",
    ),
    path("org/<slug:slug>/audit/", ws.org_audit, name="org_audit"),
    path("invitations/<str:token>/", ws.invitation_accept, name="invitation_accept"),
    path("join/<slug:org_slug>/<slug:campaign_slug>/", ws.campaign_join, name="campaign_join"),
    path("cases/<int:case_id>/mandate/", ws.mandate_grant, name="mandate_grant"),
    path(
        "cases/<int:case_id>/mandate/<int:mandate_id>/revoke/",
        ws.mandate_revoke,
        name="mandate_revoke",
    ),
    path("cases/<int:case_id>/audit/", ws.case_audit, name="case_audit"),
    path("stats/", ws.public_stats, name="public_stats"),
    path("stats/months/", ws.public_stats_months, name="public_stats_months"),
    path("stats/statistics.<str:fmt>", ws.public_stats, name="public_stats_download"),
]

from cases.views import letters  # noqa: E402  (kept with its section)

urlpatterns += [
    path("cases/<int:case_id>/letters/", letters.letter_generate, name="letter_generate"),
    path(
        "cases/<int:case_id>/letters/complaint/",
        letters.letter_complaint,
        name="letter_complaint",
    ),
    path(
        "cases/<int:case_id>/letters/breach-report/",
        letters.letter_breach_report,
        name="letter_breach_report",
    ),
    path(
        "cases/<int:case_id>/letters/complaint/region/",
        letters.letter_complaint_region,
        name="letter_complaint_region",
    ),
    path(
        "cases/<int:case_id>/letters/<int:letter_id>/status/",
        letters.letter_status,
        name="letter_status",
    ),
    path(
        "cases/<int:case_id>/letters/<int:letter_id>/preview/",
        letters.letter_preview,
        name="letter_preview",
    ),
    path(
        "cases/<int:case_id>/letters/<int:letter_id>/pdf/",
        letters.letter_download,
        name="letter_download",
    ),
    path(
        "cases/<int:case_id>/letters/<int:letter_id>/bundle/",
        letters.letter_bundle,
        name="letter_bundle",
    ),
    path(
        "cases/<int:case_id>/letters/<int:letter_id>/text/",
        letters.letter_text,
        name="letter_text",
    ),
    path(
        "cases/<int:case_id>/letters/<int:letter_id>/retry/",
        letters.letter_retry,
        name="letter_retry",
    ),
    path(
        "cases/<int:case_id>/letters/<int:letter_id>/sent/",
        letters.letter_mark_sent,
        name="letter_mark_sent",
    ),
]

# --- API keys and webhooks -------------------------------------------------------------------
# An organisation's keys, webhook endpoints and delivery log (admins), and personal keys.
from cases.views import api_keys  # noqa: E402

urlpatterns += [
    path("org/<slug:slug>/api/", api_keys.organisation_api, name="org_api"),
    path("org/<slug:slug>/api/keys/", api_keys.organisation_key_create, name="org_api_key_create"),
    path(
        "org/<slug:slug>/api/keys/<str:prefix>/revoke/",
        api_keys.organisation_key_revoke,
        name="org_api_key_revoke",
    ),
    path(
        "org/<slug:slug>/api/webhooks/",
        api_keys.organisation_endpoint_create,
        name="org_api_endpoint_create",
    ),
    path(
        "org/<slug:slug>/api/webhooks/<int:endpoint_id>/disable/",
        api_keys.organisation_endpoint_disable,
        name="org_api_endpoint_disable",
    ),
    path(
        "org/<slug:slug>/api/deliveries/",
        api_keys.organisation_deliveries,
        name="org_api_deliveries",
    ),
    path(
        "org/<slug:slug>/api/deliveries/<int:delivery_id>/retry/",
        api_keys.organisation_delivery_retry,
        name="org_api_delivery_retry",
    ),
    path("account/api-keys/", api_keys.personal_keys, name="api_keys"),
    path(
        "account/api-keys/<str:prefix>/revoke/",
        api_keys.personal_key_revoke,
        name="api_key_revoke",
    ),
]

# --- Vendors' data exports (issue 18) --------------------------------------------------------
from cases.views import exports  # noqa: E402

urlpatterns += [
    path("cases/<int:case_id>/exports/new/", exports.export_new, name="export_new"),
    path(
        "cases/<int:case_id>/exports/<int:export_id>/",
        exports.export_detail,
        name="export_detail",
    ),
    path(
        "cases/<int:case_id>/exports/<int:export_id>/status/",
        exports.export_status,
        name="export_status",
    ),
    path(
        "cases/<int:case_id>/exports/<int:export_id>/report.<str:fmt>",
        exports.export_download,
        name="export_download",
    ),
    path(
        "cases/<int:case_id>/exports/<int:export_id>/owned/",
        exports.export_owned,
        name="export_owned",
    ),
    path(
        "cases/<int:case_id>/exports/<int:export_id>/checklist/",
        exports.export_checklist,
        name="export_checklist",
    ),
    path(
        "cases/<int:case_id>/exports/<int:export_id>/misdirected/",
        exports.export_misdirected,
        name="export_misdirected",
    ),
]

# --- Mail with the vendor (cases/mail) -------------------------------------------------------
from cases.mail import inbound as mail_inbound  # noqa: E402
from cases.views import mail  # noqa: E402

urlpatterns += [
    path(
        "cases/<int:case_id>/letters/<int:letter_id>/email/",
        mail.letter_send,
        name="letter_send_email",
    ),
    path("mail/inbound/mailgun/", mail_inbound.mailgun_inbound, name="mail_inbound_mailgun"),
    path("cases/<int:case_id>/mail/upload/", mail.message_upload, name="case_mail_upload"),
    path(
        "cases/<int:case_id>/mail/<int:message_id>/confirm/",
        mail.message_confirm_view,
        name="case_mail_confirm",
    ),
    path(
        "cases/<int:case_id>/mail/<int:message_id>/dismiss/",
        mail.message_dismiss_view,
        name="case_mail_dismiss",
    ),
    path(
        "cases/<int:case_id>/mail/<int:message_id>/original/",
        mail.message_raw,
        name="case_mail_raw",
    ),
    path("org/<slug:slug>/mail/", mail.organisation_queue, name="org_mail_queue"),
    path(
        "org/<slug:slug>/mail/<int:message_id>/file/",
        mail.organisation_queue_file,
        name="org_mail_file",
    ),
    path(
        "org/<slug:slug>/mail/<int:message_id>/dismiss/",
        mail.organisation_queue_dismiss,
        name="org_mail_dismiss",
    ),
]
