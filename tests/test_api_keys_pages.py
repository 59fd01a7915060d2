"""The workspace page for API keys, webhook endpoints and the delivery log, and the personal
keys page: secrets shown once, admins only, revocation that takes effect at once."""

from __future__ import annotations

import pytest
from auditlog.context import set_actor
from django.utils import timezone

from cases import services
from cases.models import ApiKey, Membership, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.api_helpers import headers, organisation_case
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]


@pytest.fixture
def admin_client(client):
    membership = MembershipFactory(role=Membership.Role.ADMIN)
    client.force_login(membership.user)
    return client, membership.organisation


def test_an_admin_creates_a_key_that_is_shown_once_and_works(admin_client):
    client, organisation = admin_client
    response = client.post(
        f"/org/{organisation.slug}/api/keys/", {"name": "CRM", "scope": "read_write"}
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(organisation=organisation)
    secret = response.context["new_secret"]
    assert secret.startswith(key.prefix + ".") and secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"

    again = client.get(f"/org/{organisation.slug}/api/").content.decode()
    assert key.prefix in again and secret not in again
    assert client.get("/api/v1/me/", **headers(secret)).json()["can_write"] is True


def test_a_revoked_key_stops_working_at_once(admin_client):
    client, organisation = admin_client
    client.post(f"/org/{organisation.slug}/api/keys/", {"name": "old", "scope": "read"})
    key = ApiKey.objects.get(organisation=organisation)
    secret = client.post(
        f"/org/{organisation.slug}/api/keys/", {"name": "x", "scope": "read"}
    ).context["new_secret"]
    revoked = ApiKey.objects.get(prefix=secret.split(".")[0])
    response = client.post(f"/org/{organisation.slug}/api/keys/{revoked.prefix}/revoke/")
    assert response.status_code == 302
    assert client.get("/api/v1/me/", **headers(secret)).status_code == 401
    assert not ApiKey.objects.get(pk=key.pk).revoked


def test_only_admins_see_the_page_and_outsiders_get_a_404(client):
    organisation = OrganisationFactory()
    caseworker = MembershipFactory(organisation=organisation, role=Membership.Role.CASEWORKER)
    client.force_login(caseworker.user)
    assert client.get(f"/org/{organisation.slug}/api/").status_code == 403
    assert (
        client.post(
            f"/org/{organisation.slug}/api/keys/", {"name": "x", "scope": "read"}
        ).status_code
        == 403
    )
    client.force_login(UserFactory())
    assert client.get(f"/org/{organisation.slug}/api/").status_code == 404


def test_an_endpoint_is_registered_with_its_secret_shown_once(admin_client):
    client, organisation = admin_client
    response = client.post(
        f"/org/{organisation.slug}/api/webhooks/",
        {"url": "http://127.0.0.1:9/hooks", "event_types": ["case.created", "letter.ready"]},
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(organisation=organisation)
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get(f"/org/{organisation.slug}/api/").content.decode()

    bad = client.post(f"/org/{organisation.slug}/api/webhooks/", {"url": "x", "event_types": []})
    assert bad.status_code == 400


def test_the_delivery_log_shows_each_attempt_and_a_failed_one_can_be_sent_again(
    admin_client, settings
):
    client, organisation = admin_client
    settings.WEBHOOK_RETRY_DELAYS = []
    endpoint = services.webhook_endpoint_create(
        organisation=organisation,
        actor=organisation.memberships.get().user,
        url="http://127.0.0.1:9/hooks",  # nothing listens: the attempt fails
        event_types=["case.created"],
    )
    organisation_case(organisation)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    services.webhook_deliver(delivery_id=delivery.pk, now=timezone.now())
    delivery.refresh_from_db()
    assert delivery.state == "failed" and WebhookAttempt.objects.filter(delivery=delivery).count()

    page = client.get(f"/org/{organisation.slug}/api/deliveries/").content.decode()
    assert "case.created" in page and delivery.event.message_id in page
    assert "ConnectionError" in page

    response = client.post(f"/org/{organisation.slug}/api/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.attempts == 0

    client.post(f"/org/{organisation.slug}/api/webhooks/{endpoint.pk}/disable/")
    assert not WebhookEndpoint.objects.get(pk=endpoint.pk).is_active


def test_a_person_manages_their_own_keys(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/account/api-keys/", {"name": "script", "scope": "read"})
    assert response.status_code == 200
    secret = response.context["new_secret"]
    me = client.get("/api/v1/me/", **headers(secret)).json()
    assert me["kind"] == "personal_key" and me["user_email"] == user.email
    assert me["can_write"] is False
    prefix = secret.split(".")[0]
    client.post(f"/account/api-keys/{prefix}/revoke/")
    assert client.get("/api/v1/me/", **headers(secret)).status_code == 401
    other = UserFactory()
    client.force_login(other)
    assert client.post(f"/account/api-keys/{prefix}/revoke/").status_code == 404


def test_webhook_endpoints_are_on_the_organisations_audit_trail_without_their_secret(
    admin_client,
):
    from cases import selectors

    _client, organisation = admin_client
    admin = organisation.memberships.get().user
    with set_actor(admin):  # as the middleware does on a page
        endpoint = services.webhook_endpoint_create(
            organisation=organisation,
            actor=admin,
            url="http://127.0.0.1:9/hooks",
            event_types=["case.created"],
        )
        services.webhook_endpoint_disable(endpoint=endpoint, actor=admin)
    trail = [
        e
        for e in selectors.organisation_audit(organisation)
        if e.content_type.model != "membership"
    ]
    assert [(e.content_type.model, e.action) for e in trail] == [
        ("webhookendpoint", 1),
        ("webhookendpoint", 0),
    ]
    assert all(e.actor == admin for e in trail)
    assert endpoint.secret not in " ".join(str(e.changes) for e in trail)
