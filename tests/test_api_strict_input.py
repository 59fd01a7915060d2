"""Issue 15.10: a request body field the API does not declare is refused (400, named), on every
write endpoint, instead of being silently dropped."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings

from cases.api.serializers import StrictInputSerializer
from cases.models import Case
from tests.api_helpers import headers, organisation_case, organisation_key
from tests.factories import OrganisationFactory, VendorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

UNKNOWN = "erasure_scope"  # no endpoint has it (h17's `kind` on case creation will be declared)


def _write_operations() -> list[tuple[str, str, type]]:
    """(path, method, request serializer class) of every write operation in the schema."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    found = []
    for path, regex, method, view in generator._get_paths_and_endpoints():
        if method not in ("POST", "PUT", "PATCH"):
            continue
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        view.schema.method, view.schema.path, view.schema.path_regex = method, path, regex
        request = view.schema.get_request_serializer()
        if isinstance(request, dict):  # {media type: serializer}
            request = next(iter(request.values()))
        found.append((path, method, request if isinstance(request, type) else type(request)))
    return found


def test_every_write_operation_reads_its_body_through_the_strict_base():
    operations = _write_operations()
    assert len(operations) >= 14
    lax = [(p, m, s.__name__) for p, m, s in operations if not issubclass(s, StrictInputSerializer)]
    assert lax == []


@pytest.fixture
def world():
    organisation = OrganisationFactory()
    _key, secret = organisation_key(organisation)
    vendor = VendorFactory()
    case = organisation_case(organisation, vendor=vendor, sent=True)
    return {"secret": secret, "vendor": vendor, "case": case}


def test_filing_a_case_with_an_unknown_field_is_refused_and_files_nothing(client, world):
    before = Case.objects.count()
    body = {
        "vendor": world["vendor"].pk,
        "requester_name": "Ada Lovelace",
        "requester_email": "ada@example.org",
        "requester_country": "LU",
        UNKNOWN: "everything",
    }
    response = client.post(
        "/api/v1/cases/",
        data=json.dumps(body),
        content_type="application/json",
        **headers(world["secret"]),
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert UNKNOWN in error["message"]
    assert error["fields"] == {UNKNOWN: ["This field is not accepted."]}
    assert Case.objects.count() == before

    del body[UNKNOWN]
    accepted = client.post(
        "/api/v1/cases/",
        data=json.dumps(body),
        content_type="application/json",
        **headers(world["secret"]),
    )
    assert accepted.status_code == 201, accepted.json()


def test_an_unknown_field_is_named_next_to_the_other_errors(client, world):
    response = client.post(
        "/api/v1/cases/",
        data=json.dumps({"vendor": world["vendor"].pk, "nickname": "x", "colour": "red"}),
        content_type="application/json",
        **headers(world["secret"]),
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"colour", "nickname", "requester_name", "requester_email"} <= set(fields)
    assert "colour, nickname" in response.json()["error"]["message"]


@pytest.mark.parametrize(("path", "method"), [(p, m) for p, m, _s in _write_operations()])
def test_every_write_endpoint_names_an_unknown_field(client, world, path, method):
    url = path.replace("{case_id}", str(world["case"].pk))
    if "evidence" in path or "exports" in path:  # the uploads: multipart
        upload = SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")
        response = client.post(url, data={"file": upload, UNKNOWN: "x"}, **headers(world["secret"]))
    else:
        response = client.generic(
            method,
            url,
            json.dumps({UNKNOWN: "x"}),
            content_type="application/json",
            **headers(world["secret"]),
        )
    assert response.status_code == 400, (url, response.content)
    assert response.json()["error"]["fields"][UNKNOWN] == ["This field is not accepted."]
