"""Representations the API answers with, shared by several views. Inputs that belong to one view
are nested in that view (`InputSerializer`); serializers hold no business rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from cases import facts
from cases.models import (
    ApiKey,
    Article15Item,
    Authority,
    Case,
    CaseEvent,
    Deadline,
    EventKind,
    Evidence,
    Incident,
    Letter,
    LetterStatus,
    Organisation,
    Vendor,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)

# --- Input ---------------------------------------------------------------------------------


class StrictInputSerializer(serializers.Serializer):
    """The base of every request body the API reads: a field it does not declare is refused
    (400, named in `fields`) instead of silently dropped, so a partner tool learns at once that
    it sent something the API does not accept (e.g. a misspelt option it thought was applied).
    Whatever a subclass declares is accepted; nothing else needs listing."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = (
            sorted(str(name) for name in data if name not in self.fields)
            if isinstance(data, Mapping)
            else []
        )
        if not unknown:
            return super().to_internal_value(data)
        errors: dict[str, Any] = {}
        try:
            super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):
                errors.update(exc.detail)
        message = _("This field is not accepted.")
        errors.update({name: [message] for name in unknown})
        errors[api_settings.NON_FIELD_ERRORS_KEY] = [
            _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)}
        ]
        raise serializers.ValidationError(errors)


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


class CaseSerializer(serializers.ModelSerializer):
    """A case as lists show it: one query per page, whatever its size."""

    vendor = VendorRefSerializer()
    campaign = serializers.SerializerMethodField()
    requested_items = serializers.ListField(
        child=serializers.ChoiceField(choices=Article15Item.choices)
    )
    missing_items = serializers.ListField(
        child=serializers.ChoiceField(choices=Article15Item.choices)
    )
    next_due = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "status",
            "kind",
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
        """An unmet, running deadline has passed; computed, never stored."""
        return facts.case_overdue_by_next_due(
            case.status, getattr(case, "next_due", None), today=_today(self)
        )


class CaseDetailSerializer(CaseSerializer):
    """A case with its clocks and the actions that fit its state now."""

    deadlines = serializers.SerializerMethodField()
    available_actions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "deadlines", "available_actions"]

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, case: Case) -> list[dict[str, Any]]:
        deadlines = case.deadlines.order_by("due_on", "pk")
        return DeadlineSerializer(deadlines, many=True, context=self.context).data


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
    month = serializers.DateField(required=False)
    cases = serializers.IntegerField()
    sent = serializers.IntegerField()
    answered = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_share = serializers.FloatField(allow_null=True)
    extended = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True)
    missing = serializers.DictField(child=serializers.IntegerField())
    incidents = serializers.DictField(child=serializers.IntegerField(), required=False)


class VendorStatisticsSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["visible", "public"])
    min_group = serializers.IntegerField()
    computed_at = serializers.DateTimeField(allow_null=True)
    vendors = VendorStatisticsRowSerializer(many=True)
    months = VendorStatisticsRowSerializer(many=True)


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
