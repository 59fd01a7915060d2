"""Staff back office.

Read-mostly on purpose: every change that the law or the timeline cares about (a status, the
dates that start a clock, an event, a deadline, a letter) goes through a service in
`cases/services.py`, which writes the `CaseEvent` and recomputes the deadlines. The admin lets
staff look everything up and correct descriptive fields; it offers no write actions of its own.
Reference data (vendors, authorities) and accounts (users, organisations, memberships) are edited
here freely.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import (
    Authority,
    Case,
    CaseEvent,
    Deadline,
    DeadlineState,
    Evidence,
    Incident,
    Letter,
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


class OverdueFilter(admin.SimpleListFilter):
    """Open deadlines whose day has passed. Computed from the date, never stored."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("yes", _("overdue")), ("no", _("not overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Deadline]) -> QuerySet[Deadline]:
        overdue = {"state": DeadlineState.OPEN, "due_on__lt": timezone.localdate()}
        if self.value() == "yes":
            return queryset.filter(**overdue)
        if self.value() == "no":
            return queryset.exclude(**overdue)
        return queryset


class CaseOverdueFilter(admin.SimpleListFilter):
    """Cases with at least one open deadline whose day has passed."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("yes", _("overdue")), ("no", _("not overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        if self.value() not in ("yes", "no"):
            return queryset
        overdue = Exists(
            Deadline.objects.filter(
                case=OuterRef("pk"), state=DeadlineState.OPEN, due_on__lt=timezone.localdate()
            )
        )
        return queryset.filter(overdue) if self.value() == "yes" else queryset.exclude(overdue)


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
    list_display = ["name", "slug", "email", "created_at"]
    search_fields = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    inlines = [MembershipInline]


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


class DeadlineInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Derived from the events by the deadline engine; recomputed, never edited."""

    model = Deadline
    extra = 0
    fields = ["kind", "key", "due_on", "state", "met_on", "missed_at"]
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
        "records_affected",
        "data_categories",
        "description",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["kind", "discovered_on", "reported_to_vendor_on", "created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceInline(admin.TabularInline):
    """Uploads go through the case page (which hashes the file); the proof itself is fixed."""

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
    search_fields = ["=id", "requester_name", "requester_email", "vendor__name", "vendor_reference"]
    date_hierarchy = "created_at"
    list_select_related = ["vendor", "organisation"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["requester", "assignee"]
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("requester", "organisation", "assignee", "vendor", "kind")}),
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
    # service that also writes the event); the dates start legal clocks.
    readonly_fields = [
        "vendor",
        "kind",
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
    inlines = [CaseEventInline, DeadlineInline, IncidentInline, EvidenceInline, LetterInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A case starts with its CREATED event, written by the service behind the request form.
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_on", "case", "kind", "actor", "recorded_at"]
    list_filter = ["kind"]
    search_fields = ["=case__id"]
    search_help_text = _("Case number")
    list_select_related = ["case__vendor", "actor"]
    date_hierarchy = "occurred_on"
    show_full_result_count = False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["due_on", "kind", "state", "case", "met_on", "missed_at"]
    list_filter = [OverdueFilter, "kind", "state"]
    search_fields = ["=case__id", "case__requester_name", "case__vendor__name"]
    list_select_related = ["case__vendor"]
    date_hierarchy = "due_on"
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
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["send_at", "deadline", "offset_days", "sent_at", "cancelled_at", "attempts"]
    list_filter = [ReminderStateFilter, ReminderCancelledFilter, "offset_days"]
    search_fields = ["=deadline__case__id"]
    search_help_text = _("Case number")
    list_select_related = ["deadline"]
    date_hierarchy = "send_at"
    show_full_result_count = False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["discovered_on", "kind", "case", "occurred_on", "records_affected"]
    list_filter = ["kind", "case__vendor"]
    search_fields = ["=case__id", "case__vendor__name", "description"]
    list_select_related = ["case__vendor"]
    date_hierarchy = "discovered_on"
    raw_id_fields = ["case", "created_by"]
    readonly_fields = [
        "case",
        "kind",
        "discovered_on",
        "reported_to_vendor_on",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Recording an incident writes an event (and may start a clock): a service's job.
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "case", "content_type", "size", "uploaded_at", "uploaded_by"]
    list_filter = ["content_type"]
    search_fields = ["=case__id", "original_name", "sha256", "description"]
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
class LetterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "kind", "version", "language", "status", "created_at", "sent_on"]
    list_filter = ["kind", "status", "language"]
    search_fields = ["=case__id", "sha256"]
    list_select_related = ["case__vendor"]
    date_hierarchy = "created_at"
    exclude = ["pdf"]
    show_full_result_count = False
