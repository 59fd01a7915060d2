"""API keys and webhooks in the workspace: an organisation's admins create and revoke its keys,
register webhook endpoints and read the delivery log; anybody manages their personal keys.

A key or an endpoint secret is shown once, in the answer to the POST that created it, and never
again (the key is stored hashed). Pages are admin-only: non-members get a 404, other members a
403, as everywhere in the workspace.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import selectors, services
from cases.exceptions import CaseError
from cases.forms.api_keys import ApiKeyForm, WebhookEndpointForm
from cases.forms.common import show_error
from cases.models import Membership, WebhookDelivery, WebhookEventType

PAGE_SIZE = 50


def _admin(request: HttpRequest, slug: str) -> Membership:
    membership = selectors.membership_for(request.user, slug)
    if membership is None:
        raise Http404
    if membership.role != Membership.Role.ADMIN:
        raise PermissionDenied
    return membership


def _page(
    request: HttpRequest,
    membership: Membership,
    *,
    key_form: ApiKeyForm | None = None,
    endpoint_form: WebhookEndpointForm | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    organisation = membership.organisation
    deliveries = list(selectors.webhook_delivery_log(organisation)[:10])
    context = {
        "organisation": organisation,
        "membership": membership,
        "is_admin": True,
        "can_work": True,
        "keys": selectors.organisation_api_keys(organisation),
        "endpoints": selectors.organisation_webhook_endpoints(organisation),
        "deliveries": deliveries,
        "key_form": key_form or ApiKeyForm(),
        "endpoint_form": endpoint_form or WebhookEndpointForm(),
        "event_labels": dict(WebhookEventType.choices),
        **extra,
    }
    return render(request, "api/organisation.html", context, status=status)


@login_required
@require_GET
def organisation_api(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's keys, webhook endpoints and latest deliveries."""
    return _page(request, _admin(request, slug))


@login_required
@require_POST
def organisation_key_create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _admin(request, slug)
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            key, secret = services.api_key_create_for_organisation(
                organisation=membership.organisation,
                actor=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
            )
        except CaseError as error:
            show_error(form, error)
        else:
            # Shown in this answer only; the page after a reload no longer has it.
            response = _page(request, membership, new_key=key, new_secret=secret)
            response["Cache-Control"] = "no-store"
            return response
    return _page(request, membership, key_form=form, status=400)


@login_required
@require_POST
def organisation_key_revoke(request: HttpRequest, slug: str, prefix: str) -> HttpResponse:
    membership = _admin(request, slug)
    key = get_object_or_404(selectors.organisation_api_keys(membership.organisation), prefix=prefix)
    services.api_key_revoke(key=key, actor=request.user)
    messages.success(request, _("The key %(prefix)s is revoked.") % {"prefix": key.prefix})
    return redirect("cases:org_api", slug=slug)


@login_required
@require_POST
def organisation_endpoint_create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _admin(request, slug)
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint = services.webhook_endpoint_create(
                organisation=membership.organisation,
                actor=request.user,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
            )
        except CaseError as error:
            show_error(form, error)
        else:
            response = _page(request, membership, new_endpoint=endpoint)
            response["Cache-Control"] = "no-store"
            return response
    return _page(request, membership, endpoint_form=form, status=400)


@login_required
@require_POST
def organisation_endpoint_disable(
    request: HttpRequest, slug: str, endpoint_id: int
) -> HttpResponse:
    membership = _admin(request, slug)
    endpoint = get_object_or_404(
        selectors.organisation_webhook_endpoints(membership.organisation), pk=endpoint_id
    )
    services.webhook_endpoint_disable(endpoint=endpoint, actor=request.user)
    messages.success(request, _("No more events go to %(url)s.") % {"url": endpoint.url})
    return redirect("cases:org_api", slug=slug)


@login_required
@require_GET
def organisation_deliveries(request: HttpRequest, slug: str) -> HttpResponse:
    """The delivery log: every event sent to the organisation's endpoints, with each attempt."""
    membership = _admin(request, slug)
    page = Paginator(selectors.webhook_delivery_log(membership.organisation), PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    attempts = selectors.delivery_attempts(list(page))
    return render(
        request,
        "api/deliveries.html",
        {
            "organisation": membership.organisation,
            "membership": membership,
            "is_admin": True,
            "page": page,
            "rows": [(d, attempts[d.pk]) for d in page],
        },
    )


@login_required
@require_POST
def organisation_delivery_retry(request: HttpRequest, slug: str, delivery_id: int) -> HttpResponse:
    membership = _admin(request, slug)
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint__organisation"),
        pk=delivery_id,
        endpoint__organisation=membership.organisation,
    )
    try:
        services.webhook_redeliver(delivery=delivery, actor=request.user)
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The event is on its way again."))
    return redirect("cases:org_api_deliveries", slug=slug)


# --- Personal keys ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def personal_keys(request: HttpRequest) -> HttpResponse:
    """A person's own keys: they see and change what the person sees and changes here."""
    form = ApiKeyForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                key, secret = services.api_key_create_personal(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                )
            except CaseError as error:
                show_error(form, error)
                status = 400
            else:
                context.update(new_key=key, new_secret=secret, form=ApiKeyForm())
        else:
            status = 400
    context["keys"] = selectors.personal_api_keys(request.user)
    response = render(request, "api/personal.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def personal_key_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    key = get_object_or_404(selectors.personal_api_keys(request.user), prefix=prefix)
    services.api_key_revoke(key=key, actor=request.user)
    messages.success(request, _("The key %(prefix)s is revoked.") % {"prefix": key.prefix})
    return redirect("cases:api_keys")
