"""factory_boy factories for every model, shared by all tests.

Defaults describe an ordinary case: a requester in Luxembourg asking a Luxembourg vendor for
their data. Override what a test is about and nothing else:

    case = CaseFactory(sent=True, vendor__name="Amazon")
    DeadlineFactory(case=case, due_on=date(2027, 9, 30))

Users get an unusable password unless one is given (`UserFactory(password="s3cret-pass")`), so
that creating users costs no hashing; tests log in with `client.force_login(user)`.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from cases import services
from cases.models import (
    MANDATE_CONSENT_VERSION,
    Authority,
    BulkJob,
    Campaign,
    Case,
    CaseEvent,
    CaseNote,
    Channel,
    Deadline,
    DeadlineKind,
    DeadlineState,
    EventKind,
    Evidence,
    Incident,
    IncidentKind,
    Invitation,
    Letter,
    LetterKind,
    LetterStatus,
    Mandate,
    MandateScope,
    Membership,
    Organisation,
    Reminder,
    Status,
    User,
    Vendor,
)
from cases.models.workspace import token_digest


def _today() -> date:
    return timezone.localdate()


# --- People ----------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    class Params:
        staff = factory.Trait(is_staff=True)
        superuser = factory.Trait(is_staff=True, is_superuser=True)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    language = "en"
    # None gives an unusable password (no hashing); pass a string to get a usable one.
    password = factory.django.Password(None)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Privacy Action {n}")
    slug = factory.Sequence(lambda n: f"privacy-action-{n}")
    email = factory.LazyAttribute(lambda o: f"cases@{o.slug}.example.org")
    address = "1 rue de la Gare\nL-1611 Luxembourg"
    # Most tests are about a working organisation; an unverified one says so (verified_at=None).
    nonprofit_declared_at = factory.LazyFunction(timezone.now)
    verified_at = factory.LazyFunction(timezone.now)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.CASEWORKER


# --- Directory -------------------------------------------------------------------------------


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"lu-cnpd-{n}")
    short_name = "CNPD"
    name = "Commission nationale pour la protection des données"
    country = "LU"
    subdivision = ""
    address = "15, Boulevard du Jazz\nL-4370 Belvaux\nLuxembourg"
    email = "info@cnpd.lu"
    website = "https://cnpd.public.lu"
    complaint_languages = factory.LazyFunction(lambda: ["fr", "de", "en"])
    sources = factory.LazyFunction(lambda: ["https://cnpd.public.lu"])


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"vendor-{n}")
    name = factory.Sequence(lambda n: f"Vendor {n}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} Europe S.à r.l.")
    products = factory.LazyFunction(lambda: ["Assistant"])
    voice_assistant = True
    address = "38 avenue John F. Kennedy\nL-1855 Luxembourg"
    country = "LU"
    subdivision = ""
    email = factory.LazyAttribute(lambda o: f"privacy@{o.slug}.example.com")
    request_language = "en"
    preferred_channel = Vendor.Channel.EMAIL
    lead_authority = factory.SubFactory(AuthorityFactory)
    sources = factory.LazyFunction(lambda: ["https://example.com/privacy"])


# --- Cases -----------------------------------------------------------------------------------


class CaseFactory(factory.django.DjangoModelFactory):
    """A draft by default; `sent=True` gives a request sent and received 10 days ago."""

    class Meta:
        model = Case

    class Params:
        sent = factory.Trait(
            status=Status.AWAITING_RESPONSE,
            channel=Channel.EMAIL,
            sent_on=factory.LazyFunction(lambda: _today() - timedelta(days=10)),
            received_on=factory.SelfAttribute("sent_on"),
        )

    requester = factory.SubFactory(UserFactory)
    vendor = factory.SubFactory(VendorFactory)
    requester_name = factory.LazyAttribute(lambda o: o.requester.full_name or "Anna Muller")
    requester_email = factory.SelfAttribute("requester.email")
    requester_address = "12 rue de Hollerich\nL-1741 Luxembourg"
    requester_country = "LU"
    language = "en"
    status = Status.DRAFT


class CaseEventFactory(factory.django.DjangoModelFactory):
    """An event as `CaseEvent.record` writes it: by the requester, today, nothing extra."""

    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    actor = factory.SelfAttribute("case.requester")
    kind = EventKind.CREATED
    occurred_on = factory.LazyFunction(_today)
    data = factory.LazyFunction(dict)
    note = ""


class DeadlineFactory(factory.django.DjangoModelFactory):
    """An open response deadline a month away; `key` follows `kind` for single clocks."""

    class Meta:
        model = Deadline
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory, sent=True)
    kind = DeadlineKind.RESPONSE
    key = factory.LazyAttribute(lambda o: str(o.kind))
    due_on = factory.LazyFunction(lambda: _today() + timedelta(days=30))
    state = DeadlineState.OPEN

    @factory.post_generation
    def next_due_stored(obj, create, extracted, **kwargs):
        """As `services.deadlines_refresh` does: the case's stored next due day follows."""
        if create:
            services.case_next_due_store(case_ids=[obj.case_id])


class ReminderFactory(factory.django.DjangoModelFactory):
    """The on-the-day reminder, pending, at 09:00 local time."""

    class Meta:
        model = Reminder

    deadline = factory.SubFactory(DeadlineFactory)
    offset_days = 0
    send_at = factory.LazyAttribute(
        lambda o: services.reminder_send_at(o.deadline.due_on, o.offset_days)
    )


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    case = factory.SubFactory(CaseFactory, sent=True)
    kind = IncidentKind.MISDIRECTED_EXPORT
    occurred_on = factory.LazyFunction(lambda: _today() - timedelta(days=3))
    discovered_on = factory.LazyFunction(_today)
    records_affected = 1700
    data_categories = factory.LazyFunction(lambda: ["audio", "transcripts"])
    description = "The vendor's export contained another person's recordings."
    created_by = factory.SelfAttribute("case.requester")


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A small text file, with the size and SHA-256 of what is actually stored."""

    class Meta:
        model = Evidence

    class Params:
        content = b"Dear customer, please find attached your data.\n"

    case = factory.SubFactory(CaseFactory, sent=True)
    original_name = "answer.txt"
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name=o.original_name))
    content_type = "text/plain"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    description = "The vendor's answer"
    uploaded_by = factory.SelfAttribute("case.requester")


class LetterFactory(factory.django.DjangoModelFactory):
    """A queued access request, version 1; pass `version` for a regenerated one."""

    class Meta:
        model = Letter

    case = factory.SubFactory(CaseFactory)
    kind = LetterKind.ACCESS_REQUEST
    version = 1
    language = factory.SelfAttribute("case.language")
    status = LetterStatus.QUEUED
    created_by = factory.SelfAttribute("case.requester")

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        # A complaint goes to an authority: the vendor's lead authority unless one is given.
        if kwargs.get("kind") == LetterKind.COMPLAINT and kwargs.get("authority") is None:
            kwargs["authority"] = kwargs["case"].vendor.lead_authority
        return kwargs


# --- Advocacy workspace ----------------------------------------------------------------------


class MandateFactory(factory.django.DjangoModelFactory):
    """An active mandate from the case's requester to an organisation (Art. 80(1)).

    Like `mandate_grant`, it puts the case in the organisation, so that its members see it, and
    emits the organisation's `case.created` webhook.
    """

    class Meta:
        model = Mandate
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    scope = factory.LazyFunction(
        lambda: [MandateScope.CORRESPONDENCE.value, MandateScope.COMPLAINT.value]
    )
    consent_text_version = MANDATE_CONSENT_VERSION
    granted_by = factory.SelfAttribute("case.requester")

    @factory.post_generation
    def place_case(obj: Mandate, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or obj.revoked_at is not None:
            return
        services.webhooks_emit_for_mandate(mandate=obj)
        if obj.case.organisation_id != obj.organisation_id:
            obj.case.organisation = obj.organisation
            obj.case.save(update_fields=["organisation", "updated_at"])


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation; the raw token is `invitation-<n>` (only its SHA-256 is stored)."""

    class Meta:
        model = Invitation

    class Params:
        token = factory.Sequence(lambda n: f"invitation-{n}")

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Membership.Role.CASEWORKER
    token_hash = factory.LazyAttribute(lambda o: token_digest(o.token))
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class CampaignFactory(factory.django.DjangoModelFactory):
    """An open campaign; pass `vendors=[...]` to choose its vendors (default: one new vendor)."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    title = factory.Sequence(lambda n: f"Get your recordings back {n}")
    landing_en = "Ask for your voice recordings with us."
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def vendors(obj: Campaign, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.vendors.set(extracted if extracted is not None else [VendorFactory()])


class CaseNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseNote

    case = factory.SubFactory(CaseFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    author = factory.SubFactory(UserFactory)
    body = "Called the vendor's DPO; they promised an answer by Friday."


class BulkJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BulkJob

    organisation = factory.SubFactory(OrganisationFactory)
    kind = BulkJob.Kind.REMINDERS
    requested_by = factory.SubFactory(UserFactory)
    case_ids = factory.LazyFunction(list)
    total = factory.LazyAttribute(lambda o: len(o.case_ids))
