"""Helpers for the API tests: keys as an organisation's admin or a person would create them,
cases an organisation holds under a mandate, and request headers."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cases import services
from cases.models import ApiKey, ApiScope, Case, Membership, Organisation, User
from tests.factories import CaseFactory, MandateFactory, MembershipFactory, OrganisationFactory


def organisation_key(
    organisation: Organisation | None = None, *, scope: str = ApiScope.READ_WRITE
) -> tuple[ApiKey, str]:
    """A key of `organisation` (a new one by default), created by one of its admins."""
    organisation = organisation or OrganisationFactory()
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    return services.api_key_create_for_organisation(
        organisation=organisation, actor=admin, name="partner tool", scope=scope
    )


def personal_key(user: User, *, scope: str = ApiScope.READ_WRITE) -> tuple[ApiKey, str]:
    return services.api_key_create_personal(user=user, name="my script", scope=scope)


def headers(secret: str, **extra: str) -> dict[str, str]:
    """Django test client keyword arguments carrying the key."""
    return {"HTTP_AUTHORIZATION": f"Api-Key {secret}", **extra}


def organisation_case(organisation: Organisation, **fields: Any) -> Case:
    """A case whose requester mandated `organisation` (Art. 80(1))."""
    case = CaseFactory(**fields)
    MandateFactory(case=case, organisation=organisation)
    case.refresh_from_db()
    return case


# --- A real webhook receiver -----------------------------------------------------------------


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records every POST; it answers 500 to the first
    `failures` requests, then 204."""

    def __init__(self, *, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[Received] = []
        self.answers: list[int] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver._lock:
                    receiver.received.append(
                        Received({k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    failing = len(receiver.received) <= receiver.failures
                    receiver.answers.append(500 if failing else 204)
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks"

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def of_type(self, event_type: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.json["type"] == event_type]
