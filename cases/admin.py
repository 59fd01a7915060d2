"""Staff back office.

Read-mostly on purpose: every change that the law or the timeline cares about (a status, the
dates that start a clock, an event, a deadline, a letter) goes through a service in
`cases/services/`, which writes the `CaseEvent` and recomputes the deadlines. The admin lets
staff look everything up and correct descriptive fields; it offers no write actions of its own.
Reference data (vendors, authorities) and accounts (users, organisations, memberships) are edited
here freely.
"""

from __future__ import annotations

from typing import Any

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import selectors
from cases.models import (
    Authority,
    BulkJob,
    Campaign,
    Case,
    CaseEvent,
    CaseNote,
    Deadline,
    Evidence,
    InboundMessage,
    Incident,
    Invitation,
    Letter,
    MailboxState,
    Mandate,
    Membership,
    Organisation,
    Reminder,
    User,
    Vendor,
)

# --- Shared behaviour ------------------------------------------------------------------------


class ReadOnlyAdminMixin:
    """Staff may look, never add, change or delete: the rows are written by services only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseNumberSearchMixin:
    """A search for a case number ("1234" or "#1234") finds that case's rows through an index.

    Django's "=case__id" search compares text (UPPER(case_id::text)), which no index serves: on a
    million cases that costs seconds a page. Other terms go to the usual search, or find nothing
    when `case_number_only` (the row has no text worth searching).
    """

    case_number_lookup = "case_id"
    case_number_only = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip().removeprefix("#")
        if term.isdigit() and len(term) <= 18:  # fits a bigint
            return queryset.filter(**{self.case_number_lookup: int(term)}), False
        if self.case_number_only and term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]


class OverdueFilter(admin.SimpleListFilter):
    """Deadlines overdue today, as `selectors.overdue_deadlines` defines it (never stored)."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("yes", _("overdue")), ("no", _("not overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Deadline]) -> QuerySet[Deadline]:
        overdue = selectors.overdue_deadlines().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=overdue)
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue)
        return queryset


class CaseOverdueFilter(admin.SimpleListFilter):
    """Cases with at least one overdue deadline."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("yes", _("overdue")), ("no", _("not overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        overdue = selectors.overdue_deadlines().values("case_id")
        if self.value() == "yes":
            return queryset.filter(pk__in=overdue)
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue)
        return queryset


# --- People ----------------------------------------------------------------------------------


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)
        field_classes: dict[str, type[forms.Field]] = {}

    def clean_email(self) -> str:
        """Stored lower-case, as `UserManager.create_user` does; unique whatever the case."""
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with that e-mail address already exists."))
        return email


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict[str, type[forms.Field]] = {}

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("A user with that e-mail address already exists."))
        return email


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organisation"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "language")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("email_verified_at", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ["last_login"]
    list_display = ["email", "full_name", "language", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language", "groups"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    filter_horizontal = ["groups", "user_permissions"]
    inlines = [MembershipInline]

    def get_inlines(self, request: HttpRequest, obj: User | None) -> list[type[Any]]:
        # No memberships on the add page: the account must exist first.
        return self.inlines if obj is not None else []


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Staff verify here what an organisation created on the site declared (Art. 80(1) GDPR)."""

    list_display = ["name", "slug", "email", "created_at", "nonprofit_declared_at", "verified_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "nonprofit_declared_at"]
    inlines = [MembershipInline]
    actions = ["mark_verified"]

    @admin.action(description=_("Mark as verified (a not-for-profit body under Art. 80(1) GDPR)"))
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        count = queryset.filter(verified_at__isnull=True).update(verified_at=timezone.now())
        self.message_user(request, _("Organisations verified: %(count)d.") % {"count": count})


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]
    readonly_fields = ["created_at"]


# --- Directory -------------------------------------------------------------------------------

# Web addresses typed without a scheme are https (Django 6's default, chosen now).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "country", "subdivision", "email", "verified_on"]
    list_filter = ["country"]
    search_fields = ["short_name", "name", "country", "email"]
    formfield_overrides = HTTPS_URLS
    prepopulated_fields = {"slug": ["short_name"]}


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "legal_name", "country", "lead_authority", "voice_assistant"]
    list_filter = ["country", "voice_assistant"]
    search_fields = ["name", "legal_name", "email"]
    formfield_overrides = HTTPS_URLS
    autocomplete_fields = ["lead_authority"]
    list_select_related = ["lead_authority"]
    prepopulated_fields = {"slug": ["name"]}


# --- Cases -----------------------------------------------------------------------------------


class CaseEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The timeline: append-only, so nobody adds, changes or deletes a row here."""

    model = CaseEvent
    extra = 0
    fields = ["occurred_on", "kind", "actor", "note", "data", "recorded_at"]
    readonly_fields = fields
    ordering = ["occurred_on", "recorded_at", "pk"]


class MandateInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Who may act on the case (Art. 80(1)); granted and revoked by the requester only."""

    model = Mandate
    extra = 0
    fields = [
        "organisation",
        "scope",
        "kinds",
        "granted_at",
        "granted_by",
        "revoked_at",
        "revoked_by",
    ]
    readonly_fields = fields


class DeadlineInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Derived from the events by the deadline engine; recomputed, never edited."""

    model = Deadline
    extra = 0
    fields = ["kind", "key", "due_on", "state", "met_on", "paused_since", "missed_at"]
    readonly_fields = fields


class IncidentInline(admin.StackedInline):
    """Incidents are recorded by a service (it writes the event); staff may correct details."""

    model = Incident
    extra = 0
    fields = [
        "kind",
        "occurred_on",
        "discovered_on",
        "reported_to_vendor_on",
        "authority_notified_on",
        "records_affected",
        "data_categories",
        "description",
        "created_by",
        "created_at",
    ]
    # The dates that start or meet a clock (Art. 33) come from the incident's event, which a
    # service writes: editing them here would leave the deadlines telling another story.
    readonly_fields = [
        "kind",
        "discovered_on",
        "reported_to_vendor_on",
        "authority_notified_on",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceInline(admin.TabularInline):
    """Uploads go through a service that hashes the file; the proof itself is never edited."""

    model = Evidence
    extra = 0
    fields = [
        "original_name",
        "description",
        "incident",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = [
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]
    raw_id_fields = ["incident"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LetterInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Generated by the letter worker; regenerate through the case page."""

    model = Letter
    extra = 0
    fields = [
        "kind",
        "version",
        "language",
        "authority",
        "status",
        "sha256",
        "created_at",
        "sent_on",
    ]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Cases are created and moved by services; here staff find them and fix what they describe."""

    list_display = [
        "id",
        "requester_name",
        "vendor",
        "status",
        "sent_on",
        "received_on",
        "organisation",
    ]
    list_filter = [CaseOverdueFilter, "status", "vendor", "kind", "channel", "organisation"]
    search_fields = ["requester_name", "requester_email", "vendor__name", "vendor_reference"]
    search_help_text = _("Case number, requester, vendor or the vendor's reference")
    date_hierarchy = "created_at"
    # Newest first through the primary key's index (the same order as creation).
    ordering = ["-pk"]

    list_select_related = ["vendor", "organisation"]
    show_full_result_count = False
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "requester",
                    "organisation",
                    "assignee",
                    "vendor",
                    "kind",
                    "parent",
                    "grounds",
                )
            },
        ),
        (
            _("Data subject"),
            {
                "fields": (
                    "requester_name",
                    "requester_email",
                    "requester_address",
                    "requester_country",
                    "account_identifiers",
                    "device_serials",
                    "language",
                )
            },
        ),
        (
            _("Request"),
            {
                "fields": (
                    "requested_items",
                    "channel",
                    "sent_on",
                    "received_on",
                    "vendor_reference",
                )
            },
        ),
        (_("Where it stands"), {"fields": ("status", "outcome", "missing_items", "closed_at")}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )
    # The status moves only through the transition table (Case.transition_to, called by a
    # service that also writes the event); the dates start legal clocks; who may see the case
    # follows the requester's mandate (Art. 80(1)), and assignment goes through the workspace.
    readonly_fields = [
        "requester",
        "organisation",
        "assignee",
        "vendor",
        "kind",
        # The case family is set when the follow-up is opened (`case_follow_ups_create`).
        "parent",
        "grounds",
        "channel",
        "sent_on",
        "received_on",
        "status",
        "outcome",
        "missing_items",
        "closed_at",
        "created_at",
        "updated_at",
    ]
    inlines = [
        MandateInline,
        CaseEventInline,
        DeadlineInline,
        IncidentInline,
        EvidenceInline,
        LetterInline,
    ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Case], search_term: str
    ) -> tuple[QuerySet[Case], bool]:
        """A number is a case number, or a vendor's reference that happens to be all digits."""
        term = search_term.strip().removeprefix("#")
        if term.isdigit() and len(term) <= 18:
            return queryset.filter(Q(pk=int(term)) | Q(vendor_reference=term)), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A case starts with its CREATED event, written by the service behind the request form.
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(CaseNumberSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_on", "case", "kind", "actor", "recorded_at"]
    list_filter = ["kind", "occurred_on"]
    search_fields = ["=case__id"]
    search_help_text = _("Case number")
    case_number_only = True
    list_select_related = ["case__vendor", "actor"]
    # Latest recorded first, through the primary key's index; a case's own timeline, in the
    # order things happened, is on the case's page.
    ordering = ["-pk"]
    show_full_result_count = False


@admin.register(Deadline)
class DeadlineAdmin(CaseNumberSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["due_on", "kind", "state", "case", "met_on", "paused_since", "missed_at"]
    list_filter = [OverdueFilter, "kind", "state", "due_on"]
    search_fields = ["case__requester_name", "case__vendor__name"]
    search_help_text = _("Case number, requester or vendor")
    list_select_related = ["case__vendor"]
    show_full_result_count = False


class ReminderStateFilter(admin.SimpleListFilter):
    title = _("sent")
    parameter_name = "sent"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("yes", _("sent")), ("no", _("not sent"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> QuerySet[Reminder]:
        if self.value() in ("yes", "no"):
            return queryset.filter(sent_at__isnull=self.value() == "no")
        return queryset


class ReminderCancelledFilter(admin.SimpleListFilter):
    title = _("cancelled")
    parameter_name = "cancelled"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("yes", _("cancelled")), ("no", _("not cancelled"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> QuerySet[Reminder]:
        if self.value() in ("yes", "no"):
            return queryset.filter(cancelled_at__isnull=self.value() == "no")
        return queryset


@admin.register(Reminder)
class ReminderAdmin(CaseNumberSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "send_at",
        "deadline",
        "offset_days",
        "queued_at",
        "sent_at",
        "cancelled_at",
        "attempts",
    ]
    list_filter = [ReminderStateFilter, ReminderCancelledFilter, "offset_days", "send_at"]
    search_fields = ["=deadline__case__id"]
    search_help_text = _("Case number")
    case_number_lookup = "deadline__case_id"
    case_number_only = True
    list_select_related = ["deadline"]
    show_full_result_count = False


@admin.register(Incident)
class IncidentAdmin(CaseNumberSearchMixin, admin.ModelAdmin):
    list_display = ["discovered_on", "kind", "case", "occurred_on", "records_affected"]
    list_filter = ["kind", "case__vendor"]
    search_fields = ["case__vendor__name", "description"]
    search_help_text = _("Case number, vendor or description")
    list_select_related = ["case__vendor"]
    date_hierarchy = "discovered_on"
    raw_id_fields = ["case", "created_by"]
    readonly_fields = [
        "case",
        "kind",
        "discovered_on",
        "reported_to_vendor_on",
        "authority_notified_on",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Recording an incident writes an event (and may start a clock): a service's job.
        return False


@admin.register(Evidence)
class EvidenceAdmin(CaseNumberSearchMixin, admin.ModelAdmin):
    list_display = ["original_name", "case", "content_type", "size", "uploaded_at", "uploaded_by"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "sha256", "description"]
    search_help_text = _("Case number, file name, SHA-256 or description")
    list_select_related = ["case__vendor", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    raw_id_fields = ["incident"]
    # The file is kept private and served by the case page only; its hash proves it unchanged.
    fields = [
        "case",
        "incident",
        "original_name",
        "description",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = [
        "case",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Letter)
class LetterAdmin(CaseNumberSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "kind", "version", "language", "status", "created_at", "sent_on"]
    list_filter = ["kind", "status", "language"]
    search_fields = ["=sha256"]
    search_help_text = _("Case number or SHA-256")
    list_select_related = ["case__vendor"]
    date_hierarchy = "created_at"
    exclude = ["pdf"]
    show_full_result_count = False


# --- Advocacy workspace ----------------------------------------------------------------------
# Each of these is written by a service in cases/services/workspace.py, which checks the
# person's role and the requester's consent; the admin only shows them.


class MandateActiveFilter(admin.SimpleListFilter):
    title = _("active")
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("yes", _("active")), ("no", _("revoked"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Mandate]) -> QuerySet[Mandate]:
        if self.value() in ("yes", "no"):
            return queryset.filter(revoked_at__isnull=self.value() == "yes")
        return queryset


@admin.register(Mandate)
class MandateAdmin(CaseNumberSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "organisation", "granted_at", "revoked_at", "consent_text_version"]
    list_filter = [MandateActiveFilter, "organisation", "campaign"]
    search_fields = ["organisation__name"]
    search_help_text = _("Case number or organisation")
    list_select_related = ["case__vendor", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["organisation", "role"]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation"]
    # The token's hash opens nothing, but there is no reason to show it either.
    exclude = ["token_hash"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "organisation", "request_variant", "is_open", "created_at"]
    list_filter = ["is_open", "organisation", "request_variant"]
    search_fields = ["title", "slug", "organisation__name"]
    list_select_related = ["organisation"]


@admin.register(CaseNote)
class CaseNoteAdmin(CaseNumberSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "organisation", "author", "created_at"]
    list_filter = ["organisation"]
    search_fields = ["=case__id"]
    search_help_text = _("Case number")
    case_number_only = True
    list_select_related = ["case__vendor", "organisation", "author"]


@admin.register(BulkJob)
class BulkJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "organisation", "kind", "state", "done", "total", "succeeded"]
    list_filter = ["state", "kind", "organisation"]
    list_select_related = ["organisation"]


# --- Audit trail -----------------------------------------------------------------------------
# django-auditlog's own admin searches `actor__first_name`, which our User does not have: any
# search on the audit log page would fail. Same admin, with this project's user fields.

admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(AuditlogLogEntryAdmin):
    search_fields = ["object_repr", "actor__email", "actor__full_name"]
    search_help_text = _("Object or the e-mail or name of who did it")


# --- Mail with vendors (cases/mail) ----------------------------------------------------------


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every message as received, also those no organisation's queue shows (no case, no
    organisation to attribute them to): staff file them through the case's page or queue."""

    list_display = ["received_at", "from_address", "subject", "suggestion", "state", "case"]
    list_filter = ["state", "suggestion", "source", "unfiled_reason"]
    search_fields = ["from_address", "subject", "message_id", "sha256"]
    raw_id_fields = ["case", "case_hint", "organisation", "event", "decided_by"]
    date_hierarchy = "received_at"


@admin.register(MailboxState)
class MailboxStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "last_success_at", "consecutive_failures", "next_attempt_at"]
