"""The API of inbound mail (read-only): a case's messages, and an organisation's queue of
unfiled and unconfirmed messages. Confirming stays a person's click on the case page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors
from cases.api.views import ApiListView
from cases.mail import selectors as mail_selectors
from cases.models import (
    InboundMessage,
    MessageSource,
    MessageState,
    Organisation,
    Suggestion,
    UnfiledReason,
)


class InboundMessageSerializer(serializers.ModelSerializer):
    source = serializers.ChoiceField(choices=MessageSource.choices)
    state = serializers.ChoiceField(choices=MessageState.choices)
    suggestion = serializers.ChoiceField(choices=Suggestion.choices)
    unfiled_reason = serializers.ChoiceField(choices=UnfiledReason.choices)
    evidence_ids = serializers.ListField(child=serializers.IntegerField())
    problems = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = InboundMessage
        fields = [
            "id",
            "case",
            "source",
            "from_address",
            "subject",
            "sent_at",
            "received_at",
            "state",
            "unfiled_reason",
            "suggestion",
            "suggestion_language",
            "extension_reason",
            "is_automatic",
            "sha256",
            "size",
            "evidence_ids",
            "problems",
            "event",
        ]
        read_only_fields = fields


class InboundMessageWithBodySerializer(InboundMessageSerializer):
    class Meta(InboundMessageSerializer.Meta):
        fields = [*InboundMessageSerializer.Meta.fields, "body_text", "was_html"]
        read_only_fields = fields


class CaseMessageListView(ApiListView):
    serializer_class = InboundMessageWithBodySerializer

    def get_queryset(self) -> QuerySet[InboundMessage]:
        return mail_selectors.case_messages(self.visible_case(self.kwargs["case_id"]))

    @extend_schema(operation_id="cases_messages_list", tags=["mail"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The company's messages on the case, newest first, with the suggestion of what each
        is; the body is plain text (HTML mail reduced to text, nothing fetched)."""
        return super().get(request, *args, **kwargs)


class MailQueueView(ApiListView):
    serializer_class = InboundMessageSerializer

    def _organisation(self) -> Organisation:
        principal = self.principal
        if principal.organisation is not None:
            return principal.organisation
        membership = selectors.membership_for(
            principal.user, self.request.GET.get("organisation", "")
        )
        if membership is None:
            raise NotFound
        return membership.organisation

    def get_queryset(self) -> QuerySet[InboundMessage]:
        return mail_selectors.organisation_mail_queue(self._organisation())

    @extend_schema(
        operation_id="mail_queue_list",
        tags=["mail"],
        parameters=[
            OpenApiParameter(
                "organisation",
                OpenApiTypes.STR,
                description="The organisation's slug (for a person's key or session; an "
                "organisation's key reads its own queue).",
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The organisation's messages that wait for a person: not filed on a case, or filed
        and not yet confirmed; oldest first."""
        return super().get(request, *args, **kwargs)
