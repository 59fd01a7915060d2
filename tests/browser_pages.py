"""Seeded data for the browser tests, and the list of every page a person can reach with it.

`seed_site()` builds, through the real services, what a site looks like after some use: the
reference directory, one person (Alice) with requests to Amazon, Google, Apple and Microsoft in
every state a case page shows (so that every action page is offered somewhere), letters of every
kind, an incident with evidence, and an organisation Alice runs with members, an invitation, a
campaign, mandated cases from other people, a bulk job, a note, an API key and a webhook.

`pages(site)` names every page of every journey with its address, so that the layout test can
visit each one (tests/test_browser_fit.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from cases import services
from cases.models import (
    Authority,
    BulkJob,
    Case,
    Channel,
    IncidentKind,
    IncidentSide,
    Letter,
    LetterKind,
    Membership,
    User,
    Vendor,
)
from cases.models.workspace import Campaign
from tests.factories import InvitationFactory, UserFactory

PASSWORD = "a-long-Browser-passphrase-42"
ALICE = "alice.browser@example.org"
INVITATION_TOKEN = "browser-invitation-token"


@dataclass
class Site:
    alice: User
    slug: str
    campaign: Campaign
    cases: dict[str, Case] = field(default_factory=dict)
    letters: dict[str, Letter] = field(default_factory=dict)
    org_case: Case | None = None
    job: BulkJob | None = None


def _file(requester: User, vendor: Vendor, country: str = "FR") -> Case:
    return services.case_create(
        requester=requester,
        vendor=vendor,
        requester_name=requester.full_name,
        requester_email=requester.email,
        requester_country=country,
        requester_address="12 rue de la République\n69002 Lyon\nFrance",
        account_identifiers=requester.email,
        language="en",
    )


def _case(status: str, requester: User, vendor: Vendor, country: str = "FR") -> Case:
    """A case brought to `status` the way a person gets it there, starting 50 days ago."""
    case = _file(requester, vendor, country)
    start = timezone.localdate() - timedelta(days=50)
    if status == "draft":
        return case
    post = status == "sent"
    services.case_mark_sent(
        case=case, actor=requester, sent_on=start, channel=Channel.POST if post else Channel.EMAIL
    )
    if status == "paused":
        services.case_identity_requested(
            case=case, actor=requester, requested_on=start + timedelta(days=3)
        )
    if status in ("answered", "complaint_filed"):
        services.case_record_response(
            case=case,
            actor=requester,
            received_on=start + timedelta(days=40),
            missing_items=["audio", "recipients"],
        )
    if status == "complaint_filed":
        services.case_record_complaint_filed(
            case=case,
            actor=requester,
            filed_on=start + timedelta(days=45),
            authority=case.vendor.lead_authority,
        )
    return Case.objects.get(pk=case.pk)


def _letter(case: Case, actor: User, kind: str, **kwargs) -> Letter:
    letter = services.letter_request(case=case, actor=actor, kind=kind, **kwargs)
    services.letter_render(letter_id=letter.pk)  # at once, whatever the queue does
    return Letter.objects.get(pk=letter.pk)


def seed_site(*, organisation_slug: str = "stimme-zurueck") -> Site:
    """The site after some use (see the module's docstring). Needs a transactional database."""
    call_command("load_reference", verbosity=0)
    vendors = {v.slug: v for v in Vendor.objects.all()}
    alice = UserFactory(email=ALICE, full_name="Alice Newcomer", password=PASSWORD, language="en")
    alice.email_verified_at = timezone.now()
    alice.save(update_fields=["email_verified_at"])

    # Alice's own requests, one per state the case page shows (and the actions each offers).
    cases = {
        "draft": _case("draft", alice, vendors["apple-siri"]),
        "sent": _case("sent", alice, vendors["microsoft-cortana"]),
        "awaiting": _case("awaiting", alice, vendors["google-assistant"]),
        "paused": _case("paused", alice, vendors["samsung-bixby"]),
        "answered": _case("answered", alice, vendors["amazon-alexa"]),
        "complaint_filed": _case("complaint_filed", alice, vendors["meta-ai"]),
        # In Germany the complaint page first asks for the Land (§ 40 BDSG).
        "in_germany": _case("answered", alice, vendors["samsung-bixby-de"], "DE"),
    }
    answered = cases["answered"]
    today = timezone.localdate()
    incident = services.incident_record(
        case=answered,
        actor=alice,
        kind=IncidentKind.MISDIRECTED_EXPORT,
        side=IncidentSide.OWN_DATA,
        discovered_on=today - timedelta(days=5),
        reported_to_vendor_on=today - timedelta(days=4),
        records_affected=1700,
        description="The export held another person's recordings, 1,700 of them.",
    )
    services.evidence_add(
        case=answered,
        actor=alice,
        upload=SimpleUploadedFile(
            "a-rather-long-file-name-of-the-export-that-came-back.txt",
            b"Someone else's transcripts.\n",
            content_type="text/plain",
        ),
        description="The wrong export",
        incident=incident,
    )
    authority = answered.vendor.lead_authority or Authority.objects.first()
    letters = {
        "access_request": answered.letters.filter(kind=LetterKind.ACCESS_REQUEST).first()
        or _letter(answered, alice, LetterKind.ACCESS_REQUEST),
        "reminder": _letter(answered, alice, LetterKind.REMINDER),
        "incident_notice": _letter(answered, alice, LetterKind.INCIDENT_NOTICE, incident=incident),
        "complaint": _letter(
            answered,
            alice,
            LetterKind.COMPLAINT,
            authority=authority,
            court_proceedings_pending=False,
        ),
    }

    # The organisation Alice runs (its creation through the page is walked by
    # tests/test_browser_journeys.py; here it is only the ground the pages stand on).
    organisation = services.organisation_create(
        actor=alice,
        name="Stimme zurück – Verein für Datenschutz e.V.",  # noqa: RUF001 (a real name's dash)
        slug=organisation_slug,
        email="faelle@stimme-zurueck.example.org",
        address="Musterstraße 12\n10115 Berlin\nDeutschland",
        declares_nonprofit=True,
    )
    for role, email in [
        (Membership.Role.CASEWORKER, "caseworker.with.a.long.address@stimme-zurueck.example.org"),
        (Membership.Role.VIEWER, "viewer@stimme-zurueck.example.org"),
    ]:
        Membership.objects.create(
            user=UserFactory(email=email, full_name="Maximilian Mustermann-Schmidt"),
            organisation=organisation,
            role=role,
        )
    InvitationFactory(
        organisation=organisation,
        email="invited.person@example.org",
        invited_by=alice,
        token=INVITATION_TOKEN,
    )
    campaign = services.campaign_create(
        organisation=organisation,
        actor=alice,
        title="Holt euch eure Sprachaufnahmen zurück",
        slug="sprachaufnahmen",
        vendors=[vendors["amazon-alexa"], vendors["google-assistant"]],
        landing_en="Ask Amazon and Google for your voice recordings, with us at your side.",
        landing_de="Fordern Sie Ihre Sprachaufnahmen von Amazon und Google an – wir helfen.",  # noqa: RUF001
    )
    # Other people's requests, mandated to the organisation through the campaign.
    mandated = []
    for n, slug in enumerate(["amazon-alexa", "google-assistant", "amazon-alexa"]):
        person = UserFactory(
            email=f"member.of.the.public.{n}@example.org", full_name=f"Person Number {n}"
        )
        case = _case("answered" if n == 0 else "awaiting", person, vendors[slug])
        services.mandate_grant(
            case=case,
            actor=person,
            organisation=organisation,
            scope=campaign.scope,
            campaign=campaign,
        )
        mandated.append(case)
    services.case_assign(case=mandated[0], actor=alice, organisation=organisation, assignee=alice)
    services.case_note_add(
        case=mandated[0],
        actor=alice,
        organisation=organisation,
        body="Called the DPO; they promised an answer by Friday.",
    )
    job = services.bulk_job_create(
        organisation=organisation,
        actor=alice,
        kind=BulkJob.Kind.REMINDERS,
        case_ids=[c.pk for c in mandated],
    )
    services.bulk_job_run(job_id=job.pk)
    services.api_key_create_for_organisation(
        organisation=organisation, actor=alice, name="Our case-management tool", scope="read_write"
    )
    services.api_key_create_personal(user=alice, name="My own script", scope="read")
    return Site(
        alice=alice,
        slug=organisation.slug,
        campaign=campaign,
        cases=cases,
        letters=letters,
        org_case=mandated[0],
        job=BulkJob.objects.get(pk=job.pk),
    )


# Pages before signing in: (name, address).
ANONYMOUS_PAGES = [
    ("landing", "/"),
    ("login", "/account/login/"),
    ("register", "/account/register/"),
    ("password reset", "/account/password/reset/"),
    ("password reset sent", "/account/password/reset/sent/"),
    ("password reset done", "/account/password/reset/done/"),
    ("password reset link", "/account/password/reset/Mg/bad-token/"),
    ("verify link (failed)", "/account/verify/Mg/bad-token/"),
    ("vendor list", "/vendors/"),
    ("authority list", "/authorities/"),
    ("public statistics", "/stats/"),
    ("request form, step 1", "/requests/new/"),
    ("request form, step 1 (France)", "/requests/new/?country=FR"),
    ("request form, step 2", "/requests/new/amazon-alexa/"),
    ("page not found", "/no-such-page/"),
]


def signed_in_pages(site: Site) -> list[tuple[str, str]]:
    """Every page Alice reaches signed in, as a consumer and as her organisation's admin."""
    c = site.cases
    answered = c["answered"].pk
    org = f"/org/{site.slug}"
    pages = [
        ("landing (signed in)", "/"),
        ("my cases", "/cases/"),
        ("account", "/account/"),
        ("API keys", "/account/api-keys/"),
        ("delete account", "/account/delete/"),
        ("request form, step 2 (signed in)", "/requests/new/google-assistant/"),
    ]
    pages += [(f"case page ({name})", f"/cases/{case.pk}/") for name, case in c.items()]
    # Every action page, each on a case that offers it.
    for name, case in [
        ("mark_sent", c["draft"]),
        ("delivered", c["sent"]),
        ("identity-requested", c["awaiting"]),
        ("identity-provided", c["paused"]),
        ("extension", c["awaiting"]),
        ("response", c["awaiting"]),
        ("incidents", c["answered"]),
        ("authority-reply", c["complaint_filed"]),
        ("evidence", c["answered"]),
        ("close", c["answered"]),
    ]:
        path = "sent" if name == "mark_sent" else name
        pages.append((f"case action {name}", f"/cases/{case.pk}/{path}/"))
    pages += [
        ("complaint letter page", f"/cases/{answered}/letters/complaint/"),
        ("breach report page", f"/cases/{answered}/letters/breach-report/"),
        ("complaint page, the Land asked", f"/cases/{c['in_germany'].pk}/letters/complaint/"),
        ("case audit", f"/cases/{answered}/audit/"),
        ("mandate page", f"/cases/{c['awaiting'].pk}/mandate/"),
    ]
    pages += [
        (f"letter preview ({kind})", f"/cases/{answered}/letters/{letter.pk}/preview/")
        for kind, letter in site.letters.items()
    ]
    pages += [
        ("my organisations", "/org/"),
        ("org dashboard", f"{org}/"),
        ("org dashboard, filtered", f"{org}/?status=answered"),
        ("org case", f"{org}/cases/{site.org_case.pk}/"),
        ("org case, case page", f"/cases/{site.org_case.pk}/"),
        ("members", f"{org}/members/"),
        ("org settings", f"{org}/settings/"),
        ("campaigns", f"{org}/campaigns/"),
        ("campaign form (new)", f"{org}/campaigns/new/"),
        ("campaign form (edit)", f"{org}/campaigns/{site.campaign.slug}/edit/"),
        ("campaign join", f"/join/{site.slug}/{site.campaign.slug}/"),
        ("bulk job", f"{org}/jobs/{site.job.pk}/"),
        ("statistics", f"{org}/statistics/"),
        ("public statistics (signed in)", "/stats/"),
        ("audit", f"{org}/audit/"),
        ("org API keys", f"{org}/api/"),
        ("org webhook deliveries", f"{org}/api/deliveries/"),
        ("invitation", f"/invitations/{INVITATION_TOKEN}/"),
    ]
    return pages
