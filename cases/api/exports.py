"""The API of the export analyser (issue 18): upload a vendor's export for a case, then read its
status, progress and report. Cases only through the principal's selectors (another's is a 404)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import parsers, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cases import services
from cases.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from cases.api.serializers import StrictInputSerializer
from cases.api.views import ApiListView, ApiView
from cases.exports.notes import error_message, warning_messages
from cases.exports.upload import HashingUploadHandler
from cases.models import ExportStatus, VoiceExport


@extend_schema_serializer(component_name="VoiceExport")
class VoiceExportSerializer(serializers.ModelSerializer):
    """An uploaded export and its analysis. `report` holds aggregates and flags (never the
    transcripts unless `keep_transcripts`); `foreign` the recordings from devices or profiles
    not in `owned` (null until `owned` is given)."""

    evidence = serializers.IntegerField(source="evidence_id", read_only=True)
    sha256 = serializers.CharField(source="evidence.sha256", read_only=True)
    file_name = serializers.CharField(source="evidence.original_name", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    error = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()
    foreign = serializers.SerializerMethodField()

    class Meta:
        model = VoiceExport
        fields = [
            "id",
            "case",
            "evidence",
            "file_name",
            "sha256",
            "status",
            "percent",
            "progress_done",
            "progress_total",
            "error",
            "warnings",
            "vendor",
            "owned",
            "keep_transcripts",
            "created_at",
            "started_at",
            "finished_at",
            "report",
            "foreign",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    )
    def get_error(self, export: VoiceExport) -> dict[str, str] | None:
        if not export.error_code:
            return None
        return {"code": export.error_code, "message": error_message(export.error_code)}

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
        }
    )
    def get_warnings(self, export: VoiceExport) -> list[dict[str, str]]:
        return warning_messages((export.report or {}).get("warnings", []))

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": True})
    def get_report(self, export: VoiceExport) -> dict[str, Any] | None:
        return export.report if export.status == ExportStatus.DONE else None

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "devices": {"type": "array", "items": {"type": "string"}},
                "profiles": {"type": "array", "items": {"type": "string"}},
                "count": {"type": "integer"},
                "first": {"type": "string", "format": "date", "nullable": True},
                "last": {"type": "string", "format": "date", "nullable": True},
            },
        }
    )
    def get_foreign(self, export: VoiceExport) -> dict[str, Any] | None:
        return services.export_foreign(export)


class VoiceExportListView(ApiListView):
    serializer_class = VoiceExportSerializer
    parser_classes = [parsers.MultiPartParser]  # an upload, like evidence

    @extend_schema_serializer(component_name="VoiceExportInput")
    class InputSerializer(StrictInputSerializer):
        file = serializers.FileField(
            help_text="The export as the vendor sent it (ZIP, or a JSON, CSV or Excel file)."
        )
        owned = serializers.ListField(
            child=serializers.CharField(max_length=120),
            required=False,
            default=list,
            max_length=50,
            help_text="The devices and voice profiles that are the person's own.",
        )
        keep_transcripts = serializers.BooleanField(required=False, default=False)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Installed before anything reads the body: streamed to a temporary file, hashed on
        # the way, stopped at DSAR_EXPORT_MAX_BYTES.
        if request.method == "POST":
            self.upload_handler = HashingUploadHandler(
                settings.DSAR_EXPORT_MAX_BYTES, request=request
            )
            request._request.upload_handlers = [self.upload_handler]
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        case = self.visible_case(self.kwargs["case_id"])
        return case.voice_exports.select_related("evidence").order_by("-created_at", "-pk")

    @extend_schema(operation_id="cases_exports_list", tags=["exports"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The exports uploaded on the case, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="cases_exports_create",
        request={"multipart/form-data": InputSerializer},
        responses={202: VoiceExportSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["exports"],
    )
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        """Upload an export (multipart/form-data). It is kept as evidence with its SHA-256 and
        analysed in the background: poll the export until `status` is `done` or `failed`."""
        case = self.changeable_case(case_id)
        if getattr(self, "upload_handler", None) is not None and self.upload_handler.exceeded:
            raise ValidationError({"file": [_("The file is larger than the limit.")]})
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        with self.acting():
            export = services.export_upload(
                case=case,
                actor=request.user,
                file=upload,
                name=upload.name or "",
                size=upload.size,
                sha256=getattr(upload, "sha256", None),
                owned=data.validated_data["owned"],
                keep_transcripts=data.validated_data["keep_transcripts"],
            )
        return Response(VoiceExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class VoiceExportDetailView(ApiView):
    @extend_schema(
        operation_id="cases_exports_retrieve", responses=VoiceExportSerializer, tags=["exports"]
    )
    def get(self, request: Request, case_id: int, export_id: int) -> Response:
        """An export's status, progress, and (once analysed) its report."""
        case = self.visible_case(case_id)
        export = case.voice_exports.select_related("evidence").filter(pk=export_id).first()
        if export is None:
            raise NotFound
        return Response(VoiceExportSerializer(export).data)
