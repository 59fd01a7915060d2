"""OpenAPI additions: the API-key security scheme, the error responses every operation can
give, in the one error shape (see `cases.api.errors`), and request bodies described as strictly
as the API reads them (`AutoSchema`)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers

from cases.api.serializers import StrictInputSerializer
from cases.models import CHECKLISTS, RequestKind

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable."},
                "message": {"type": "string", "description": "For people; translated."},
                "fields": {
                    "type": "object",
                    "description": "Messages per input field (dotted for nested fields).",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}

ALWAYS = {
    "400": "Input the schema does not allow (`fields` says which): a missing or unknown field, "
    "a value of the wrong type or format, an empty query parameter.",
    "401": "No API key, or an invalid, revoked or expired one.",
    "403": "The key may only read, or the principal may not do this.",
    "404": "Not found, or not visible to this principal.",
    "406": "The Accept header asks for a type the API does not serve.",
    "429": "Over the request budget of the key; see Retry-After.",
}
WRITES = {
    "409": "Refused transition: the case is not in a state where this can be done.",
    "415": "Unsupported request content type.",
    "422": "Well-formed input that a rule of the domain refuses (`fields` says which), rules "
    "the schema cannot express: a vendor, authority or incident that does not exist or is not "
    "the case's; a date after today, or before a date the case already records (an answer "
    "before the request was sent); a region outside the requester's country; an option the "
    "principal may not use (a campaign or mandate scope with a personal key). Or the "
    "Idempotency-Key was used for a different request (code `idempotency_key_reused`).",
}


NO_NUL = r"^[^\x00]*$"
# DRF trims text first, so a required text must hold more than white space.
NO_NUL_NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"


class AutoSchema(openapi.AutoSchema):
    """Request bodies as the API reads them (`StrictInputSerializer`): no other property
    (`additionalProperties: false`), ids from 1, lists that may not be empty with `minItems`,
    text without NUL characters, and each serializer's own `openapi_extra` (e.g. "this field or
    that one")."""

    def _map_serializer(self, serializer: Any, direction: str, bypass_extensions: bool = False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        instance = serializer if not isinstance(serializer, type) else serializer()
        if direction != "request" or not isinstance(instance, StrictInputSerializer):
            return schema
        schema["additionalProperties"] = False
        properties = schema.get("properties", {})
        for name, field in instance.fields.items():
            prop = properties.get(name)
            if prop is None or "$ref" in prop:
                continue
            if isinstance(field, serializers.PrimaryKeyRelatedField):
                prop.setdefault("minimum", 1)
            if isinstance(field, serializers.ListField) and not field.allow_empty:
                prop.setdefault("minItems", 1)
            if isinstance(field, serializers.CharField) and "format" not in prop:
                # DRF refuses NUL characters in text (ProhibitNullCharactersValidator).
                prop.setdefault("pattern", NO_NUL if field.allow_blank else NO_NUL_NOT_BLANK)
            if isinstance(field, serializers.FileField) and not field.allow_empty_file:
                prop.setdefault("minLength", 1)
        schema.update(instance.openapi_extra)
        return schema


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "cases.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <prefix>.<secret>`, as shown once when the key was created.",
        }


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing hook: the Error component, referenced by every
    operation's error responses."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            errors = dict(ALWAYS)
            if method != "get":
                errors.update(WRITES)
            for status, description in errors.items():
                responses.setdefault(status, {"description": description, "content": reference})
    return result


def _enum_name(kind: str) -> str:
    return f"{CHECKLISTS[kind].__name__}Enum"


def add_checklists(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing hook: one enum per request kind of what its answer must
    contain (`cases.models.CHECKLISTS`: Art. 15; 17 and 19; 21(1); 7(3); 18(1)(d); 20), each
    item described; `ChecklistItem`, any of them (a case's `requested_items` and
    `missing_items` hold items of its own kind only); and `CaseChecklist`, which kind has which
    checklist."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    with translation.override("en"):
        for kind, items in CHECKLISTS.items():
            schemas[_enum_name(kind)] = {
                "type": "string",
                "enum": [item.value for item in items],
                "description": f"What an answer to a request of kind `{kind}` must contain:\n\n"
                + "\n".join(f"* `{item.value}` - {item.label}" for item in items),
            }
    schemas["ChecklistItem"] = {
        "description": "An item of a request kind's checklist; a case holds its own kind's.",
        "oneOf": [{"$ref": f"#/components/schemas/{_enum_name(k)}"} for k in CHECKLISTS],
    }
    schemas["CaseChecklist"] = {
        "type": "object",
        "description": "Each request kind's checklist, by `kind`.",
        "properties": {
            kind.value: {
                "type": "array",
                "items": {"$ref": f"#/components/schemas/{_enum_name(kind)}"},
            }
            for kind in RequestKind
        },
    }
    return result
