"""Representations the API answers with, shared by several views. Inputs that belong to one view
are nested in that view (`InputSerializer`); serializers hold no business rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from cases import facts, selectors
from cases.models import (
    ApiKey,
    Authority,
    Case,
    CaseEvent,
    Deadline,
    ErasureGround,
    EventKind,
    Evidence,
    Incident,
    Letter,
    LetterStatus,
    Organisation,
    RequestKind,
    Vendor,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
    item_labels,
)

# --- Input ---------------------------------------------------------------------------------


# The base of every request body the API reads (a comment, not a docstring: drf-spectacular
# would copy a docstring into every input's description). A field the subclass does not declare
# is refused (400, named in `fields`) instead of silently dropped, so a partner tool learns at
# once that it sent something the API does not accept; whatever a subclass declares is accepted.
# A JSON value of the wrong type (a number for a text, "1" or 1.0 for an integer) is refused too,
# where DRF would coerce it: the schema says which type each field takes. A subclass may add
# `openapi_extra` (e.g. `oneOf` for "give this field or that one"), merged into its schema by
# `cases.api.schema.AutoSchema`, which also says `additionalProperties: false`.
class StrictInputSerializer(serializers.Serializer):
    openapi_extra: dict[str, Any] = {}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        errors: dict[str, Any] = {}
        unknown = sorted(str(name) for name in data if name not in self.fields)
        if not isinstance(data, QueryDict):  # JSON: typed values
            for name, field in self.fields.items():
                if name in data and not _json_type_fits(field, data[name]):
                    errors[name] = [_("This value has the wrong type.")]
        if not unknown and not errors:
            return super().to_internal_value(data)
        try:
            super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):
                errors = {**exc.detail, **errors}
        if unknown:
            message = _("This field is not accepted.")
            errors.update({name: [message] for name in unknown})
            errors[api_settings.NON_FIELD_ERRORS_KEY] = [
                _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)}
            ]
        raise serializers.ValidationError(errors)


DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# RFC 3339, what the schema's `format: date-time` means: with a time-zone offset.
DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
DIGITS = re.compile(r"[0-9]+")


def _text_fits(field: serializers.Field, value: str) -> bool:
    """A date or a date-time in the one form the schema gives; any other text as it is."""
    if isinstance(field, serializers.DateTimeField):
        return DATETIME.fullmatch(value) is not None
    if isinstance(field, serializers.DateField):
        return DATE.fullmatch(value) is not None
    return True


def _json_type_fits(field: serializers.Field, value: Any) -> bool:
    """Whether a JSON value has the type the field's schema gives (None where it is nullable)."""
    if value is None:
        return field.allow_null
    if isinstance(field, serializers.BooleanField):
        return isinstance(value, bool)
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(field, serializers.ListField | serializers.ManyRelatedField):
        return isinstance(value, list)
    if isinstance(field, serializers.DictField):
        return isinstance(value, dict)
    if isinstance(
        field,
        serializers.CharField
        | serializers.ChoiceField
        | serializers.DateField
        | serializers.DateTimeField,
    ):
        return isinstance(value, str) and _text_fits(field, value)
    return True


class StrictQuerySerializer(serializers.Serializer):
    """The query parameters of a list: each value as the schema gives it, or 400. Where DRF would
    read an empty value as "not given" (`?state=`), `?flag=yes` as true or `?id=1.0` as 1, this
    refuses them; a parameter it does not declare (e.g. `page`) is left to others."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, QueryDict):
            return super().to_internal_value(data)
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name, field in self.fields.items():
            if name not in data:
                continue
            many = isinstance(field, serializers.ListField)
            raw = data.getlist(name) if many else data.getlist(name)[-1:]
            for value in raw:
                problem = _query_value_problem(field.child if many else field, value)
                if problem:
                    errors[name] = [problem]
            values[name] = raw if many else raw[0]
        if not errors:
            return super().to_internal_value(values)
        try:  # the other parameters' errors too, in one answer
            super().to_internal_value({k: v for k, v in values.items() if k not in errors})
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):
                errors = {**exc.detail, **errors}
        raise serializers.ValidationError(errors)


def _query_value_problem(field: serializers.Field, value: str) -> str | None:
    if value == "":
        return _("This field may not be blank.")
    if isinstance(field, serializers.BooleanField) and value not in ("true", "false"):
        return _("Use true or false.")
    if isinstance(field, serializers.IntegerField) and not DIGITS.fullmatch(value):
        return _("A valid integer is required.")
    if not _text_fits(field, value):
        return _("This value has the wrong format.")
    return None


# --- Directory -------------------------------------------------------------------------------


class VendorSerializer(serializers.ModelSerializer):
    products = serializers.ListField(child=serializers.CharField())
    sources = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Vendor
        fields = [
            "id",
            "slug",
            "name",
            "legal_name",
            "products",
            "voice_assistant",
            "address",
            "country",
            "subdivision",
            "email",
            "webform",
            "dpo_contact",
            "website",
            "request_language",
            "preferred_channel",
            "lead_authority",
            "sources",
            "verified_on",
        ]


class AuthoritySerializer(serializers.ModelSerializer):
    complaint_languages = serializers.ListField(child=serializers.CharField())
    sources = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Authority
        fields = [
            "id",
            "slug",
            "short_name",
            "name",
            "country",
            "subdivision",
            "address",
            "email",
            "phone",
            "complaint_webform",
            "website",
            "complaint_languages",
            "sources",
            "verified_on",
        ]


class VendorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


# --- Cases -----------------------------------------------------------------------------------


def _today(serializer: serializers.Serializer) -> date:
    return serializer.context.get("today") or timezone.localdate()


class DeadlineSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()
    days_left = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = [
            "id",
            "case",
            "kind",
            "due_on",
            "state",
            "met_on",
            "paused_since",
            # Where the person disputes the identity pause (Art. 12(6)): the date counting it;
            # `due_on` does not. None when nothing is disputed.
            "due_on_with_disputed_pause",
            "overdue",
            "days_left",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, deadline: Deadline) -> bool:
        """Past its day and unmet (`cases.facts.UNMET`: not met, not paused, not the
        vendor's own extension-notice day); a closed case is never overdue."""
        return facts.clock_overdue(
            deadline, events=(), today=_today(self), case_status=deadline.case.status
        )

    @extend_schema_field(OpenApiTypes.INT)
    def get_days_left(self, deadline: Deadline) -> int:
        """Days until the due date; negative once it has passed."""
        return (deadline.due_on - _today(self)).days


@extend_schema_field({"$ref": "#/components/schemas/ChecklistItem"})
class ChecklistItemField(serializers.ChoiceField):
    """An item of a request kind's checklist (`cases.models.CHECKLISTS`); the schema lists each
    kind's items apart (`cases.api.schema.add_checklists`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=list(item_labels().items()), **kwargs)


class CaseSerializer(serializers.ModelSerializer):
    """A case as lists show it: one query per page, whatever its size."""

    vendor = VendorRefSerializer()
    campaign = serializers.SerializerMethodField()
    requested_items = serializers.ListField(
        child=ChecklistItemField(), help_text="The checklist of the case's kind it asks for."
    )
    missing_items = serializers.ListField(
        child=ChecklistItemField(),
        help_text="Items of the case's kind the recorded answer lacks.",
    )
    grounds = serializers.ListField(
        child=serializers.ChoiceField(choices=ErasureGround.choices),
        read_only=True,
        help_text="Erasure only: its grounds (Art. 17(1)(b), (c), (d)).",
    )
    parent = serializers.IntegerField(
        source="parent_id",
        allow_null=True,
        read_only=True,
        help_text="A follow-up's access case (the case family); null for an access case.",
    )
    next_due = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "status",
            "kind",
            "parent",
            "grounds",
            "vendor",
            "organisation",
            "campaign",
            "requester_name",
            "requester_email",
            "requester_country",
            "requester_region",
            "requester_address",
            "account_identifiers",
            "device_serials",
            "language",
            "requested_items",
            "channel",
            "sent_on",
            "received_on",
            "vendor_reference",
            "outcome",
            "missing_items",
            "next_due",
            "overdue",
            "created_at",
            "updated_at",
            "closed_at",
        ]

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_campaign(self, case: Case) -> int | None:
        """The campaign of the case's active mandate, if it came through one."""
        return getattr(case, "campaign_id", None)

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_next_due(self, case: Case) -> date | None:
        """The earliest unmet, running deadline."""
        return getattr(case, "next_due", None)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, case: Case) -> bool:
        """An unmet, running deadline has passed: computed from the stored next due day."""
        return facts.case_overdue_by_next_due(
            case.status, getattr(case, "next_due", None), today=_today(self)
        )


class ReminderSerializer(serializers.Serializer):
    """One reminder e-mail about one deadline."""

    deadline_kind = serializers.CharField(source="deadline.kind")
    due_on = serializers.DateField(source="deadline.due_on")
    offset_days = serializers.IntegerField(help_text="Days from the deadline; negative: before.")
    send_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


class ReminderStateSerializer(serializers.Serializer):
    """Whether the case's people are reminded, on which days, and what is scheduled and sent."""

    enabled = serializers.BooleanField()
    days = serializers.ListField(child=serializers.IntegerField())
    next_at = serializers.DateTimeField(allow_null=True)
    scheduled = ReminderSerializer(many=True)
    sent = ReminderSerializer(many=True)


class CaseDetailSerializer(CaseSerializer):
    """A case with its clocks and the actions that fit its state now."""

    deadlines = serializers.SerializerMethodField()
    available_actions = serializers.ListField(child=serializers.CharField(), read_only=True)

    reminders = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "deadlines", "available_actions", "reminders"]

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, case: Case) -> list[dict[str, Any]]:
        deadlines = case.deadlines.order_by("due_on", "pk")
        return DeadlineSerializer(deadlines, many=True, context=self.context).data

    @extend_schema_field(ReminderStateSerializer)
    def get_reminders(self, case: Case) -> dict[str, Any]:
        """Read-only: the reminder e-mails scheduled and sent, as the case page shows them
        (`selectors.case_reminders`); the case page's form changes them."""
        reminders = selectors.case_reminders(case)
        return ReminderStateSerializer(
            {
                "enabled": reminders["enabled"],
                "days": list(reminders["offsets"]),  # type: ignore[call-overload]
                "next_at": reminders["next"].send_at if reminders["next"] else None,  # type: ignore[attr-defined]
                "scheduled": reminders["scheduled"],
                "sent": reminders["sent"],
            }
        ).data


class EventSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=EventKind.choices)
    data = serializers.DictField()

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "occurred_on", "recorded_at", "note", "data"]


class IncidentSerializer(serializers.ModelSerializer):
    data_categories = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Incident
        fields = [
            "id",
            "case",
            "kind",
            "occurred_on",
            "discovered_on",
            "reported_to_vendor_on",
            "authority_notified_on",
            "records_affected",
            "data_categories",
            "description",
            "side",
            "special_categories",
            "created_at",
        ]


class EvidenceSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "case",
            "incident",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "description",
            "is_vendor_answer",
            "uploaded_at",
            "download_url",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_download_url(self, evidence: Evidence) -> str:
        return f"/api/v1/cases/{evidence.case_id}/evidence/{evidence.pk}/download/"


class LetterSerializer(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "id",
            "case",
            "kind",
            "version",
            "language",
            "authority",
            "status",
            "sha256",
            "error",
            "created_at",
            "rendered_at",
            "sent_on",
            "pdf_url",
        ]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_pdf_url(self, letter: Letter) -> str | None:
        """Where to download the PDF, once the letter is ready."""
        if letter.status != LetterStatus.READY:
            return None
        return f"/api/v1/cases/{letter.case_id}/letters/{letter.pk}/pdf/"


# --- Statistics ------------------------------------------------------------------------------


class VendorStatisticsRowSerializer(serializers.Serializer):
    vendor = serializers.IntegerField()
    vendor_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=RequestKind.choices, help_text="The kind of request.")
    month = serializers.DateField(required=False)
    cases = serializers.IntegerField()
    sent = serializers.IntegerField()
    answered = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_share = serializers.FloatField(allow_null=True)
    extended = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True)
    missing = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="How many answers left out each item of the kind's checklist.",
    )
    incidents = serializers.DictField(child=serializers.IntegerField(), required=False)


class VendorStatisticsSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["visible", "public"])
    min_group = serializers.IntegerField()
    computed_at = serializers.DateTimeField(allow_null=True)
    vendors = VendorStatisticsRowSerializer(many=True, help_text="Access requests per vendor.")
    months = VendorStatisticsRowSerializer(
        many=True, help_text="Access requests per vendor and month."
    )
    follow_ups = VendorStatisticsRowSerializer(
        many=True,
        help_text="Every other kind of request (erasure, objection, ...) per kind and vendor.",
    )


# --- Keys and webhooks -----------------------------------------------------------------------


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "name"]


class KeyInfoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["prefix", "name", "scope", "created", "last_used_at"]


class WebhookEndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices)
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "event_types", "is_active", "created_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (`whsec_...`). Shown this once: store it now."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    message_id = serializers.CharField(source="event.message_id")
    type = serializers.ChoiceField(source="event.type", choices=WebhookEventType.choices)
    case = serializers.IntegerField(source="event.case_id", allow_null=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "message_id",
            "type",
            "case",
            "state",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "created_at",
        ]
