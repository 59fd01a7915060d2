"""The REST API's views. Thin, like the pages: validate with a serializer, get cases only through
`cases.selectors` (another principal's case is a 404), make one service call, answer with a
serializer. Errors leave as exceptions for `cases.api.errors.exception_handler`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from auditlog.context import set_actor
from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import generics, parsers, renderers, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import actions, selectors, services
from cases.api import schema  # noqa: F401  (registers the API-key security scheme)
from cases.api.errors import KIND_RULE
from cases.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from cases.api.permissions import OrganisationKeyOnly, principal_of
from cases.api.serializers import (
    AuthoritySerializer,
    CaseDetailSerializer,
    CaseSerializer,
    ChecklistItemField,
    DeadlineSerializer,
    EventSerializer,
    EvidenceSerializer,
    IncidentSerializer,
    KeyInfoSerializer,
    LetterSerializer,
    OrganisationRefSerializer,
    StrictInputSerializer,
    StrictQuerySerializer,
    VendorSerializer,
    VendorStatisticsSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
)
from cases.exceptions import ActionNotAvailable
from cases.forms.common import COUNTRY_CHOICES
from cases.models import (
    TO_AUTHORITY,
    Article15Item,
    Authority,
    Case,
    Channel,
    DeadlineState,
    ErasureGround,
    Incident,
    IncidentKind,
    IncidentSide,
    Letter,
    LetterKind,
    LetterStatus,
    MandateScope,
    Outcome,
    RequestKind,
    Status,
    Vendor,
    WebhookEndpoint,
    WebhookEventType,
)
from cases.regions import GERMAN_LAENDER
from cases.selectors import (
    CASE_ORDERINGS,
    CaseFilters,
    Principal,
    organisation_statistics_stored,
    public_statistics_stored,
    vendor_statistics,
)
from cases.uploads import SizeLimitUploadHandler

MAX_ID = 2**63 - 1
LANGUAGE_CHOICES = [code for code, _name in settings.LANGUAGES]
DATE_HELP = "ISO 8601 date (YYYY-MM-DD)."


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- Base ------------------------------------------------------------------------------------


class ApiMixin:
    """What every API view shares: the principal, cases scoped to it, the audit actor."""

    request: Request

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Ids beyond a bigint cannot exist; answer 404 before the database has to say so.
        for value in kwargs.values():
            if isinstance(value, int) and value > MAX_ID:
                raise NotFound
        super().initial(request, *args, **kwargs)  # type: ignore[misc]

    @property
    def principal(self) -> Principal:
        return principal_of(self.request)

    def visible_case(self, case_id: int) -> Case:
        case = selectors.principal_cases(self.principal).filter(pk=case_id).first()
        if case is None:
            raise NotFound
        return case

    def changeable_case(self, case_id: int) -> Case:
        """A case the principal sees (404 otherwise) and may change (403 otherwise)."""
        case = self.visible_case(case_id)
        if not selectors.principal_may_change(self.principal, case):
            raise PermissionDenied(
                _("You may read this case but not change it."), code="not_permitted"
            )
        return case

    @contextmanager
    def acting(self) -> Iterator[None]:
        """Writes are recorded in the audit trail under the principal's user."""
        with set_actor(self.request.user):
            yield

    def case_detail(self, case_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        case = selectors.api_case(self.principal, case_id)
        if case is None:  # e.g. an organisation's mandate ended in between
            raise NotFound
        events = list(selectors.case_events(case))
        case.available_actions = actions.available_actions(case, events)
        return Response(CaseDetailSerializer(case).data, status=status_code)


class ApiView(ApiMixin, APIView):
    pass


class ApiListView(ApiMixin, generics.ListAPIView):
    pass


class FileRenderer(renderers.BaseRenderer):
    """Lets a client that asks for the file's type (Accept: application/pdf) get it; errors on
    such a request are still JSON (see FileView)."""

    media_type = "application/pdf"
    format = "pdf"

    def render(self, data: Any, accepted_media_type: Any = None, context: Any = None) -> bytes:
        return renderers.JSONRenderer().render(data)


class OctetRenderer(FileRenderer):
    media_type = "application/octet-stream"
    format = "bin"


class FileView(ApiView):
    """A download: the file itself on success, an error in JSON whatever the Accept header."""

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, Response):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


# --- Who am I --------------------------------------------------------------------------------


class MeView(ApiView):
    @extend_schema_serializer(component_name="Me")
    class OutputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=["organisation_key", "personal_key", "session"])
        can_write = serializers.BooleanField()
        organisation = OrganisationRefSerializer(allow_null=True)
        key = KeyInfoSerializer(allow_null=True)
        user_email = serializers.EmailField(allow_null=True)

    @extend_schema(operation_id="me", responses=OutputSerializer, tags=["principal"])
    def get(self, request: Request) -> Response:
        """Who the API sees: the key's organisation or person, and whether it may write."""
        principal = self.principal
        kind = (
            "session"
            if principal.key is None
            else "organisation_key"
            if principal.organisation is not None
            else "personal_key"
        )
        data = {
            "kind": kind,
            "can_write": principal.can_write,
            "organisation": principal.organisation,
            "key": principal.key,
            "user_email": None if principal.organisation is not None else principal.user.email,
        }
        return Response(self.OutputSerializer(data).data)


# --- Directory -------------------------------------------------------------------------------


class CountryFilter(StrictQuerySerializer):
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, help_text="ISO 3166-1 alpha-2 code, e.g. LU."
    )


class VendorListView(ApiListView):
    serializer_class = VendorSerializer

    class FilterSerializer(CountryFilter):
        voice_assistant = serializers.BooleanField(required=False, default=None)

    def get_queryset(self) -> QuerySet[Vendor]:
        filters = _query(self.FilterSerializer, self.request)
        return selectors.api_vendors(
            country=filters.get("country", ""), voice_assistant=filters.get("voice_assistant")
        )

    @extend_schema(operation_id="vendors_list", parameters=[FilterSerializer], tags=["directory"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The companies requests go to; filter by the country whose holidays count."""
        return super().get(request, *args, **kwargs)


class VendorDetailView(ApiView):
    @extend_schema(operation_id="vendors_retrieve", responses=VendorSerializer, tags=["directory"])
    def get(self, request: Request, vendor_id: int) -> Response:
        vendor = selectors.api_vendors().filter(pk=vendor_id).first()
        if vendor is None:
            raise NotFound
        return Response(VendorSerializer(vendor).data)


class AuthorityListView(ApiListView):
    serializer_class = AuthoritySerializer

    def get_queryset(self) -> QuerySet[Authority]:
        filters = _query(CountryFilter, self.request)
        return selectors.api_authorities(country=filters.get("country", ""))

    @extend_schema(operation_id="authorities_list", parameters=[CountryFilter], tags=["directory"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The data-protection authorities complaints go to."""
        return super().get(request, *args, **kwargs)


class AuthorityDetailView(ApiView):
    @extend_schema(
        operation_id="authorities_retrieve", responses=AuthoritySerializer, tags=["directory"]
    )
    def get(self, request: Request, authority_id: int) -> Response:
        authority = selectors.api_authorities().filter(pk=authority_id).first()
        if authority is None:
            raise NotFound
        return Response(AuthoritySerializer(authority).data)


class VendorStatisticsView(ApiView):
    class FilterSerializer(StrictQuerySerializer):
        scope = serializers.ChoiceField(
            choices=["visible", "public"],
            default="visible",
            help_text=(
                "`visible`: over the cases this principal sees. `public`: over every case, "
                "groups too small to be anonymous left out (as on the public page)."
            ),
        )

    @extend_schema(
        operation_id="vendor_statistics",
        parameters=[FilterSerializer],
        responses=VendorStatisticsSerializer,
        tags=["directory"],
    )
    def get(self, request: Request) -> Response:
        """How each vendor behaves: answered, on time (Art. 12(3)), median days, extensions,
        what was missing (Art. 15), incidents; and the same for every other kind of request,
        per kind and vendor, against its checklist."""
        scope = _query(self.FilterSerializer, request)["scope"]
        if scope == "public":
            stats = public_statistics_stored()  # the figures the public page shows
        elif self.principal.organisation is not None:
            # its workspace's figures
            stats = organisation_statistics_stored(self.principal.organisation)
        else:
            stats = vendor_statistics(selectors.principal_cases(self.principal))

        data = {
            "scope": scope,
            "min_group": stats.min_group,
            "computed_at": stats.computed_at,
            "vendors": stats.vendors,
            "months": stats.months,
            "follow_ups": stats.follow_ups,
        }
        return Response(VendorStatisticsSerializer(data).data)


# --- Cases -----------------------------------------------------------------------------------


class CaseListView(ApiListView):
    """GET lists the principal's cases; POST files a new one."""

    serializer_class = CaseSerializer

    class FilterSerializer(StrictQuerySerializer):
        vendor = _id_field(required=False)
        status = serializers.ListField(
            child=serializers.ChoiceField(choices=Status.choices),
            required=False,
            help_text="One or more statuses (repeat the parameter).",
        )
        overdue = serializers.BooleanField(
            required=False, default=None, help_text="Has a passed, unmet clock."
        )
        due_before = serializers.DateField(
            required=False, help_text="Next unmet clock due on or before this day."
        )
        due_after = serializers.DateField(
            required=False, help_text="Next unmet clock due on or after this day."
        )
        organisation = _id_field(required=False)
        campaign = _id_field(required=False)
        updated_since = serializers.DateTimeField(required=False)
        ordering = serializers.ChoiceField(
            choices=list(CASE_ORDERINGS), default="-created_at", required=False
        )

    @extend_schema_serializer(component_name="CaseCreateInput")
    class InputSerializer(StrictInputSerializer):
        kind = serializers.ChoiceField(
            choices=RequestKind.choices,
            default=RequestKind.ACCESS.value,
            help_text=(
                "What the request asks: access (Art. 15), or a follow-up of an access case "
                "named in `parent`: erasure (Art. 17, 19), objection (Art. 21(1)), withdrawal "
                "of consent (Art. 7(3)), restriction (Art. 18(1)(d)) or portability (Art. 20). "
                "A follow-up takes its vendor, data subject and language from its parent, and "
                "asks the whole checklist of its kind (see `CaseChecklist`)."
            ),
        )
        parent = _id_field(
            required=False,
            help_text="A follow-up only: the access case it follows (the case family).",
        )
        grounds = serializers.ListField(
            child=serializers.ChoiceField(choices=ErasureGround.choices),
            required=False,
            allow_empty=False,
            help_text=(
                "Erasure only, required there: consent withdrawn (Art. 17(1)(b)), objection "
                "upheld (Art. 17(1)(c)), unlawful processing (Art. 17(1)(d))."
            ),
        )
        vendor = serializers.PrimaryKeyRelatedField(
            queryset=Vendor.objects.all(), required=False, help_text="Required for access."
        )
        requester_name = serializers.CharField(
            max_length=200, required=False, help_text="Required for access."
        )
        requester_email = serializers.EmailField(
            max_length=254, required=False, help_text="Required for access."
        )
        requester_country = serializers.ChoiceField(
            choices=[c for c, _n in COUNTRY_CHOICES],
            required=False,
            help_text="Required for access.",
        )
        requester_region = serializers.ChoiceField(
            choices=[code for code, _name in GERMAN_LAENDER],
            required=False,
            allow_blank=True,
            default="",
            help_text=(
                "Germany only: the Land of residence (ISO 3166-2:DE code without 'DE-'), whose "
                "authority is competent for a complaint about a company (§ 40 BDSG). Cleared "
                "for other countries."
            ),
        )
        requester_address = serializers.CharField(
            max_length=1000, required=False, allow_blank=True, default=""
        )
        account_identifiers = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, default=""
        )
        device_serials = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, default=""
        )
        requested_items = serializers.ListField(
            child=serializers.ChoiceField(choices=Article15Item.choices),
            required=False,
            allow_empty=False,
            help_text="What to ask for; everything Article 15 gives when left out.",
        )
        language = serializers.ChoiceField(
            choices=LANGUAGE_CHOICES,
            required=False,
            help_text="The letter's language; the vendor's when left out.",
        )
        mandate_scope = serializers.ListField(
            child=serializers.ChoiceField(choices=MandateScope.choices),
            required=False,
            allow_empty=False,
            help_text=(
                "Organisation keys only: what the data subject's Art. 80(1) mandate, which the "
                "organisation holds, lets it do (default: correspondence and complaint)."
            ),
        )
        campaign = _id_field(required=False, help_text="Organisation keys only.")

        def to_internal_value(self, data: Any) -> dict[str, Any]:
            """Access needs the data subject and the vendor: reported with every other field's
            error at once, as when they were required fields."""
            absent: dict[str, list[str]] = {}
            if hasattr(data, "get") and data.get("kind", RequestKind.ACCESS) == "access":
                absent = {
                    f: [_("This field is required.")]
                    for f in FOR_ACCESS_ONLY_REQUIRED
                    if f not in data
                }
            try:
                attrs = super().to_internal_value(data)
            except ValidationError as error:
                detail = error.detail if isinstance(error.detail, dict) else {}
                raise ValidationError({**absent, **detail}, code=KIND_RULE) from error
            if absent:
                raise ValidationError(absent, code=KIND_RULE)
            return attrs

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            """A follow-up takes the data subject, the vendor and the language from the access
            case it follows, so it gives only `parent` (and `grounds` for erasure)."""
            if attrs.get("kind", RequestKind.ACCESS) == RequestKind.ACCESS:
                if "parent" in attrs or "grounds" in attrs:
                    raise ValidationError(
                        {"parent": [_("Only a follow-up request names the case it follows.")]},
                        code=KIND_RULE,
                    )
                return attrs
            if "parent" not in attrs:
                raise ValidationError(
                    {"parent": [_("Name the access case this follows.")]}, code=KIND_RULE
                )
            given = [f for f in FOLLOW_UP_TAKES_FROM_PARENT if f in self.initial_data]
            if given:
                raise ValidationError(
                    {f: [_("A follow-up takes this from the case it follows.")] for f in given},
                    code=KIND_RULE,
                )
            return attrs

    def get_queryset(self) -> QuerySet[Case]:
        filters = _query(self.FilterSerializer, self.request)
        filters["status"] = tuple(filters.get("status") or ())
        return selectors.api_case_list(self.principal, CaseFilters(**filters))

    @extend_schema(operation_id="cases_list", parameters=[FilterSerializer], tags=["cases"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The cases this key may see, newest first unless `ordering` says otherwise."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="cases_create",
        request=InputSerializer,
        responses={201: CaseDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["cases"],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """File an access request (GDPR Art. 15), or a follow-up of an access case (`kind`,
        `parent`): erasure, objection, withdrawal of consent, restriction or portability, each
        its own case with its own clock and checklist. With an organisation key the case is
        filed under the data subject's mandate to the organisation (Art. 80(1)), which must
        cover a follow-up's kind."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        principal = self.principal
        kind = fields.pop("kind")
        if kind != RequestKind.ACCESS:
            parent = self.changeable_case(fields["parent"])  # 404 for a case it cannot see
            with self.acting():
                (case,) = services.case_follow_ups_create(
                    parent=parent,
                    actor=principal.user,
                    kinds=[kind],
                    grounds=fields.get("grounds", ()),
                )
            response = self.case_detail(case.pk, status_code=status.HTTP_201_CREATED)
            response["Location"] = f"/api/v1/cases/{case.pk}/"
            return response
        scope, campaign_id = fields.pop("mandate_scope", None), fields.pop("campaign", None)
        with self.acting():
            case = services.case_file(
                requester=principal.user,
                organisation=principal.organisation,
                mandate_scope=scope,
                campaign_id=campaign_id,
                **fields,
            )
        response = self.case_detail(case.pk, status_code=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/cases/{case.pk}/"
        return response


# The create input's fields that an access request needs and a follow-up takes from its parent.
FOR_ACCESS_ONLY_REQUIRED = ("vendor", "requester_name", "requester_email", "requester_country")
FOLLOW_UP_TAKES_FROM_PARENT = (
    *FOR_ACCESS_ONLY_REQUIRED,
    "requester_region",
    "requester_address",
    "account_identifiers",
    "device_serials",
    "requested_items",
    "language",
    "mandate_scope",
    "campaign",
)


class CaseDetailView(ApiView):
    @extend_schema_serializer(component_name="CaseUpdateInput")
    class InputSerializer(StrictInputSerializer):
        requester_name = serializers.CharField(max_length=200, required=False)
        requester_address = serializers.CharField(max_length=1000, required=False, allow_blank=True)
        account_identifiers = serializers.CharField(
            max_length=2000, required=False, allow_blank=True
        )
        device_serials = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        vendor_reference = serializers.CharField(max_length=200, required=False, allow_blank=True)
        requester_region = serializers.ChoiceField(
            choices=[code for code, _name in GERMAN_LAENDER],
            required=False,
            allow_blank=True,
            help_text=(
                "Germany only: the Land of residence (ISO 3166-2:DE code without 'DE-'), whose "
                "authority is competent for a complaint about a company (§ 40 BDSG). Cleared "
                "for other countries."
            ),
        )
        requested_items = serializers.ListField(
            child=serializers.ChoiceField(choices=Article15Item.choices),
            required=False,
            allow_empty=False,
            help_text="Only while the case is a draft.",
        )
        language = serializers.ChoiceField(
            choices=LANGUAGE_CHOICES, required=False, help_text="Only while the case is a draft."
        )

    @extend_schema(operation_id="cases_retrieve", responses=CaseDetailSerializer, tags=["cases"])
    def get(self, request: Request, case_id: int) -> Response:
        """A case with its clocks and the actions that fit it now."""
        return self.case_detail(case_id)

    @extend_schema(
        operation_id="cases_update",
        request=InputSerializer,
        responses=CaseDetailSerializer,
        tags=["cases"],
    )
    def patch(self, request: Request, case_id: int) -> Response:
        """Correct a case's details. Its status changes only through the actions below."""
        case = self.changeable_case(case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with self.acting():
            services.case_update(case=case, actor=request.user, **data.validated_data)
        return self.case_detail(case_id)


# --- Case actions ----------------------------------------------------------------------------
# One view for every action of `cases.actions`' table that the API offers: the table below maps
# each action to its input and the service the case page calls. The service refuses an action
# the case does not allow now (ActionNotAvailable, a 409); this view only validates and calls.


@extend_schema_serializer(component_name="MarkSentInput")
class MarkSentInput(StrictInputSerializer):
    sent_on = serializers.DateField(help_text=DATE_HELP)
    channel = serializers.ChoiceField(choices=Channel.choices)
    delivered_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="By post: when it arrived."
    )


@extend_schema_serializer(component_name="DeliveryInput")
class DeliveryInput(StrictInputSerializer):
    delivered_on = serializers.DateField(help_text=DATE_HELP)


@extend_schema_serializer(component_name="IdentityRequestedInput")
class IdentityRequestedInput(StrictInputSerializer):
    requested_on = serializers.DateField(help_text=DATE_HELP)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


@extend_schema_serializer(component_name="IdentityProvidedInput")
class IdentityProvidedInput(StrictInputSerializer):
    provided_on = serializers.DateField(help_text=DATE_HELP)


@extend_schema_serializer(component_name="AcknowledgementInput")
class AcknowledgementInput(StrictInputSerializer):
    acknowledged_on = serializers.DateField(help_text=DATE_HELP)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


@extend_schema_serializer(component_name="ExtensionInput")
class ExtensionInput(StrictInputSerializer):
    notified_on = serializers.DateField(help_text=DATE_HELP)
    reason = serializers.CharField(max_length=2000)


@extend_schema_serializer(component_name="ResponseInput")
class ResponseInput(StrictInputSerializer):
    received_on = serializers.DateField(help_text=DATE_HELP)
    contains = serializers.ListField(
        child=ChecklistItemField(),
        required=False,
        help_text=(
            "The checklist of the case's kind (`CaseChecklist`: Article 15 for access, 17 "
            "and 19 for erasure...): the requested items the answer contains. Every "
            "requested item not listed is recorded as missing."
        ),
    )
    missing_items = serializers.ListField(
        child=ChecklistItemField(),
        required=False,
        help_text="Or: the items the answer lacks (give `contains` or this, not both).",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")

    # One of the two, not both (the schema's "oneOf").
    openapi_extra = {"oneOf": [{"required": ["contains"]}, {"required": ["missing_items"]}]}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("contains" in attrs) == ("missing_items" in attrs):
            raise ValidationError({"contains": [_("Give either `contains` or `missing_items`.")]})
        return attrs


@extend_schema_serializer(component_name="AuthorityReplyInput")
class AuthorityReplyInput(StrictInputSerializer):
    kind = serializers.ChoiceField(
        choices=[actions.REPLY_ACKNOWLEDGEMENT, actions.REPLY_PROGRESS],
        required=False,
        default=actions.REPLY_PROGRESS,
        help_text=(
            "What the authority sent: `acknowledgement` (receipt only; its Art. 78(2) three "
            "months run on) or `progress` (progress or an outcome, which meets them)."
        ),
    )
    replied_on = serializers.DateField(help_text=DATE_HELP)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


@extend_schema_serializer(component_name="CloseInput")
class CloseInput(StrictInputSerializer):
    outcome = serializers.ChoiceField(
        choices=[o for o in Outcome.values if o], required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


@dataclass(frozen=True)
class ActionEndpoint:
    """How the API offers one action: its input, the service behind it, its operation."""

    input: type[serializers.Serializer]
    service: Callable[..., object]
    operation_id: str
    description: str

    def path(self, name: str) -> str:
        return f"cases/<int:case_id>/{name.replace('_', '-')}/"


# In the order of the URLs (and so of the OpenAPI document). Incidents and evidence, also
# actions of the table, are created on their own collections below.
ACTION_ENDPOINTS: dict[str, ActionEndpoint] = {
    actions.MARK_SENT: ActionEndpoint(
        MarkSentInput,
        services.case_mark_sent,
        "cases_mark_sent",
        "The request left the requester; by e-mail or web form the Art. 12(3) clock starts.",
    ),
    actions.DELIVERY: ActionEndpoint(
        DeliveryInput,
        services.case_record_delivery,
        "cases_delivery",
        "A posted request reached the vendor: the clock starts that day.",
    ),
    actions.ACKNOWLEDGEMENT: ActionEndpoint(
        AcknowledgementInput,
        services.case_record_acknowledgement,
        "cases_acknowledgement",
        "The vendor confirmed receipt. Not an answer: no clock moves (Art. 12(3)).",
    ),
    actions.IDENTITY_REQUESTED: ActionEndpoint(
        IdentityRequestedInput,
        services.case_identity_requested,
        "cases_identity_requested",
        "The vendor asked for identity or clarification: the clock stands still.",
    ),
    actions.IDENTITY_PROVIDED: ActionEndpoint(
        IdentityProvidedInput,
        services.case_identity_provided,
        "cases_identity_provided",
        "The answer reached the vendor: the clock runs again.",
    ),
    actions.EXTENSION: ActionEndpoint(
        ExtensionInput,
        services.case_extension_notified,
        "cases_extension",
        "The vendor extended by two months (Art. 12(3)); a late notice is an incident.",
    ),
    actions.RESPONSE: ActionEndpoint(
        ResponseInput,
        services.case_record_response,
        "cases_response",
        "The vendor answered; each missing Art. 15 item is a ground for a reminder.",
    ),
    actions.AUTHORITY_REPLY: ActionEndpoint(
        AuthorityReplyInput,
        services.case_record_authority_answer,
        "cases_authority_reply",
        "What the authority sent about the complaint: only progress or an outcome meets its "
        "three months (Art. 78(2)), an acknowledgement of receipt does not.",
    ),
    actions.CLOSE: ActionEndpoint(
        CloseInput,
        services.case_close,
        "cases_close",
        "Close the case; its pending reminders are cancelled.",
    ),
}


class CaseActionView(ApiView):
    """Record one action of the table on a case: validate its input, call its service."""

    action_name: str = ""

    @classmethod
    def for_action(cls, name: str) -> Callable[..., Any]:
        """The view of action `name`, with that action's operation in the OpenAPI document."""
        endpoint = ACTION_ENDPOINTS[name]
        view = type(f"{cls.__name__}_{name}", (cls,), {"action_name": name})
        view = extend_schema_view(
            post=extend_schema(
                operation_id=endpoint.operation_id,
                description=endpoint.description,
                request=endpoint.input,
                responses=CaseDetailSerializer,
                tags=["case actions"],
            )
        )(view)
        return view.as_view()

    def post(self, request: Request, case_id: int) -> Response:
        endpoint = ACTION_ENDPOINTS[self.action_name]
        case = self.changeable_case(case_id)
        data = endpoint.input(data=request.data, context={"case": case})
        data.is_valid(raise_exception=True)
        with self.acting():
            endpoint.service(case=case, actor=request.user, **data.validated_data)
        return self.case_detail(case_id)


# --- Events and deadlines --------------------------------------------------------------------


class CaseEventListView(ApiListView):
    serializer_class = EventSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.case_events(self.visible_case(self.kwargs["case_id"]))

    @extend_schema(operation_id="cases_events_list", tags=["cases"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The case's timeline, oldest first."""
        return super().get(request, *args, **kwargs)


class CaseDeadlineListView(ApiView):
    @extend_schema(
        operation_id="cases_deadlines_list",
        responses=DeadlineSerializer(many=True),
        tags=["deadlines"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        """The case's clocks, soonest first."""
        case = self.visible_case(case_id)
        deadlines = selectors.case_deadlines(case)
        return Response(DeadlineSerializer(deadlines, many=True).data)


class DeadlineListView(ApiListView):
    serializer_class = DeadlineSerializer

    class FilterSerializer(StrictQuerySerializer):
        state = serializers.ChoiceField(choices=DeadlineState.choices, required=False)
        overdue = serializers.BooleanField(required=False, default=None)
        due_before = serializers.DateField(required=False)
        due_after = serializers.DateField(required=False)
        case = _id_field(required=False)

    def get_queryset(self) -> QuerySet[Any]:
        filters = _query(self.FilterSerializer, self.request)
        return selectors.api_deadlines(self.principal, **filters).select_related("case")

    @extend_schema(operation_id="deadlines_list", parameters=[FilterSerializer], tags=["deadlines"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Clocks across the principal's cases, soonest first."""
        return super().get(request, *args, **kwargs)


# --- Incidents -------------------------------------------------------------------------------


class IncidentListView(ApiListView):
    serializer_class = IncidentSerializer

    @extend_schema_serializer(component_name="IncidentInput")
    class InputSerializer(StrictInputSerializer):
        kind = serializers.ChoiceField(choices=IncidentKind.choices)
        discovered_on = serializers.DateField(help_text=DATE_HELP)
        occurred_on = serializers.DateField(required=False, allow_null=True, default=None)
        reported_to_vendor_on = serializers.DateField(required=False, allow_null=True, default=None)
        authority_notified_on = serializers.DateField(required=False, allow_null=True, default=None)
        records_affected = serializers.IntegerField(
            required=False, allow_null=True, default=None, min_value=0, max_value=2_147_483_647
        )
        data_categories = serializers.ListField(
            child=serializers.CharField(max_length=100), required=False, default=list
        )
        description = serializers.CharField(
            required=False, allow_blank=True, max_length=10_000, default=""
        )
        side = serializers.ChoiceField(
            choices=IncidentSide.choices,
            required=False,
            allow_blank=True,
            default="",
            help_text="For data sent to the wrong person (required then): whose data they were.",
        )
        special_categories = serializers.BooleanField(
            required=False,
            default=False,
            help_text="The recordings touched health, sex life or another special category "
            "of data (Art. 9(1)).",
        )

    def get_queryset(self) -> QuerySet[Incident]:
        return selectors.case_incidents(self.visible_case(self.kwargs["case_id"]))

    @extend_schema(operation_id="cases_incidents_list", tags=["incidents"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """What went wrong on the case."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="cases_incidents_create",
        request=InputSerializer,
        responses={201: IncidentSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["incidents"],
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        """Record an incident; a misdirected export starts the vendor's 72 hours (Art. 33)."""
        case = self.changeable_case(case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with self.acting():
            incident = services.incident_record(
                case=case, actor=request.user, **data.validated_data
            )
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


class IncidentDetailView(ApiView):
    @extend_schema(
        operation_id="cases_incidents_retrieve", responses=IncidentSerializer, tags=["incidents"]
    )
    def get(self, request: Request, case_id: int, incident_id: int) -> Response:
        incident = (
            selectors.case_incidents(self.visible_case(case_id)).filter(pk=incident_id).first()
        )
        if incident is None:
            raise NotFound
        return Response(IncidentSerializer(incident).data)


# --- Evidence --------------------------------------------------------------------------------


class EvidenceListView(ApiListView):
    serializer_class = EvidenceSerializer
    parser_classes = [parsers.MultiPartParser]  # the one upload; every other body is JSON

    @extend_schema_serializer(component_name="EvidenceInput")
    class InputSerializer(StrictInputSerializer):
        file = serializers.FileField(
            help_text="The vendor's answer, an export, a screenshot or an e-mail."
        )
        description = serializers.CharField(
            required=False, allow_blank=True, max_length=500, default=""
        )
        # Not nullable: a form field cannot say null; leave it out for "no incident".
        incident = _id_field(required=False, default=None)
        is_vendor_answer = serializers.BooleanField(
            required=False,
            default=False,
            help_text="The file is the company's answer; a complaint encloses it.",
        )

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Installed before anything reads the body, so an oversized file never lands on disk.
        if request.method == "POST":
            self.size_limit = SizeLimitUploadHandler(settings.UPLOAD_MAX_BYTES, request=request)
            request._request.upload_handlers.insert(0, self.size_limit)
        super().initial(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.case_evidence(self.visible_case(self.kwargs["case_id"]))

    @extend_schema(operation_id="cases_evidence_list", tags=["evidence"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The files kept with the case, with their SHA-256."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="cases_evidence_create",
        request={"multipart/form-data": InputSerializer},
        responses={201: EvidenceSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["evidence"],
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        """Upload a file (multipart/form-data); its type is judged by its content."""
        case = self.changeable_case(case_id)
        if getattr(self, "size_limit", None) is not None and self.size_limit.exceeded:
            raise ValidationError({"file": [_("The file is larger than the limit.")]})
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = None
        if data.validated_data["incident"] is not None:
            incident = case.incidents.filter(pk=data.validated_data["incident"]).first()
            if incident is None:
                raise ValidationError(
                    {"incident": [_("No such incident on this case.")]}, code="does_not_exist"
                )
        with self.acting():
            evidence = services.evidence_add(
                case=case,
                actor=request.user,
                upload=data.validated_data["file"],
                description=data.validated_data["description"],
                incident=incident,
                is_vendor_answer=data.validated_data["is_vendor_answer"],
            )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceDetailView(ApiView):
    @extend_schema(
        operation_id="cases_evidence_retrieve", responses=EvidenceSerializer, tags=["evidence"]
    )
    def get(self, request: Request, case_id: int, evidence_id: int) -> Response:
        evidence = (
            selectors.case_evidence(self.visible_case(case_id)).filter(pk=evidence_id).first()
        )
        if evidence is None:
            raise NotFound
        return Response(EvidenceSerializer(evidence).data)


class EvidenceDownloadView(FileView):
    renderer_classes = [renderers.JSONRenderer, OctetRenderer]

    @extend_schema(
        operation_id="cases_evidence_download",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        tags=["evidence"],
    )
    def get(self, request: Request, case_id: int, evidence_id: int) -> FileResponse:
        """The file as stored, always as an attachment of type application/octet-stream."""
        evidence = (
            selectors.case_evidence(self.visible_case(case_id)).filter(pk=evidence_id).first()
        )
        if evidence is None:
            raise NotFound
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError as exc:
            raise NotFound from exc
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=evidence.original_name,
            content_type="application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- Letters ---------------------------------------------------------------------------------


class LetterListView(ApiListView):
    serializer_class = LetterSerializer

    @extend_schema_serializer(component_name="LetterInput")
    class InputSerializer(StrictInputSerializer):
        kind = serializers.ChoiceField(choices=LetterKind.choices)
        language = serializers.ChoiceField(
            choices=LANGUAGE_CHOICES,
            required=False,
            help_text="The recipient's language when left out.",
        )
        authority = serializers.PrimaryKeyRelatedField(
            queryset=Authority.objects.all(),
            required=False,
            allow_null=True,
            default=None,
            help_text="For a complaint: the vendor's lead authority when left out.",
        )
        incident = _id_field(
            required=False,
            allow_null=True,
            default=None,
            help_text="For an incident notice or a breach report.",
        )
        court_proceedings_pending = serializers.BooleanField(
            required=False,
            allow_null=True,
            default=None,
            help_text="For a complaint: whether court proceedings on the same matter are "
            "pending; the complaint states the answer, or nothing when left out.",
        )

    def get_queryset(self) -> QuerySet[Letter]:
        return selectors.case_letters(self.visible_case(self.kwargs["case_id"]))

    @extend_schema(operation_id="cases_letters_list", tags=["letters"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Every version of every letter of the case."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="cases_letters_create",
        request=InputSerializer,
        responses={202: LetterSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["letters"],
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        """Ask for a letter. It is rendered by a worker: the answer (202) has its id; poll it,
        or wait for the `letter.ready` webhook, then download the PDF."""
        case = self.changeable_case(case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        authority = data.validated_data["authority"]
        if kind in TO_AUTHORITY and authority is None:
            authority = case.vendor.lead_authority
        incident = None
        if data.validated_data["incident"] is not None:
            incident = case.incidents.filter(pk=data.validated_data["incident"]).first()
            if incident is None:
                raise ValidationError(
                    {"incident": [_("No such incident on this case.")]}, code="does_not_exist"
                )
        with self.acting():
            letter = services.letter_request(
                case=case,
                actor=request.user,
                kind=kind,
                language=data.validated_data.get("language"),
                authority=authority,
                incident=incident,
                court_proceedings_pending=data.validated_data["court_proceedings_pending"],
            )
        response = Response(LetterSerializer(letter).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = f"/api/v1/cases/{case.pk}/letters/{letter.pk}/"
        return response


class LetterDetailView(ApiView):
    def letter(self, case_id: int, letter_id: int) -> Letter:
        letter = selectors.case_letters(self.visible_case(case_id)).filter(pk=letter_id).first()
        if letter is None:
            raise NotFound
        return letter

    @extend_schema(
        operation_id="cases_letters_retrieve", responses=LetterSerializer, tags=["letters"]
    )
    def get(self, request: Request, case_id: int, letter_id: int) -> Response:
        """The letter's status: queued, ready (with `pdf_url`) or failed (with `error`)."""
        return Response(LetterSerializer(self.letter(case_id, letter_id)).data)


class LetterPdfView(FileView, LetterDetailView):
    renderer_classes = [renderers.JSONRenderer, FileRenderer]

    @extend_schema(
        operation_id="cases_letters_pdf",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        tags=["letters"],
    )
    def get(self, request: Request, case_id: int, letter_id: int) -> FileResponse:
        """The PDF, once the letter is ready (409 before)."""
        letter = self.letter(case_id, letter_id)
        if letter.status != LetterStatus.READY or not letter.pdf:
            raise ActionNotAvailable(_("The letter is not ready yet."))
        try:
            handle = letter.pdf.open("rb")
        except FileNotFoundError as exc:
            raise NotFound from exc
        name = f"{letter.kind}-{letter.case_id}-v{letter.version}-{letter.language}.pdf"
        response = FileResponse(
            handle, as_attachment=True, filename=name, content_type="application/pdf"
        )
        response["Cache-Control"] = "private, no-store"
        return response


# --- Webhooks --------------------------------------------------------------------------------


class WebhookEndpointListView(ApiListView):
    serializer_class = WebhookEndpointSerializer
    permission_classes = [*APIView.permission_classes, OrganisationKeyOnly]

    @extend_schema_serializer(component_name="WebhookEndpointInput")
    class InputSerializer(StrictInputSerializer):
        url = serializers.URLField(max_length=500)
        event_types = serializers.ListField(
            child=serializers.ChoiceField(choices=WebhookEventType.choices), allow_empty=False
        )
        description = serializers.CharField(
            max_length=200, required=False, allow_blank=True, default=""
        )

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return selectors.organisation_webhook_endpoints(self.principal.organisation)

    @extend_schema(operation_id="webhook_endpoints_list", tags=["webhooks"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The organisation's endpoints (secrets are never shown again)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="webhook_endpoints_create",
        request=InputSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["webhooks"],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Register an endpoint. The answer holds its signing secret, this once."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with self.acting():
            endpoint = services.webhook_endpoint_create(
                organisation=self.principal.organisation,
                actor=request.user,
                **data.validated_data,
            )
        return Response(
            WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )


class WebhookEndpointDetailView(ApiView):
    permission_classes = [*APIView.permission_classes, OrganisationKeyOnly]

    def endpoint(self, endpoint_id: int) -> WebhookEndpoint:
        endpoint = (
            selectors.organisation_webhook_endpoints(self.principal.organisation)
            .filter(pk=endpoint_id)
            .first()
        )
        if endpoint is None:
            raise NotFound
        return endpoint

    @extend_schema(
        operation_id="webhook_endpoints_retrieve",
        responses=WebhookEndpointSerializer,
        tags=["webhooks"],
    )
    def get(self, request: Request, endpoint_id: int) -> Response:
        return Response(WebhookEndpointSerializer(self.endpoint(endpoint_id)).data)

    @extend_schema(
        operation_id="webhook_endpoints_disable",
        responses={204: OpenApiResponse(description="Disabled; its log stays.")},
        tags=["webhooks"],
    )
    def delete(self, request: Request, endpoint_id: int) -> Response:
        """Stop sending to the endpoint."""
        with self.acting():
            services.webhook_endpoint_disable(
                endpoint=self.endpoint(endpoint_id), actor=request.user
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListView(ApiListView):
    serializer_class = WebhookDeliverySerializer
    permission_classes = [*APIView.permission_classes, OrganisationKeyOnly]

    class FilterSerializer(StrictQuerySerializer):
        endpoint = _id_field(required=False)

    def get_queryset(self) -> QuerySet[Any]:
        filters = _query(self.FilterSerializer, self.request)
        return selectors.webhook_delivery_log(
            self.principal.organisation, endpoint=filters.get("endpoint")
        )

    @extend_schema(
        operation_id="webhook_deliveries_list", parameters=[FilterSerializer], tags=["webhooks"]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The delivery log, newest first."""
        return super().get(request, *args, **kwargs)
