"""The directory: the companies requests go to and the supervisory authorities."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from cases.models import Authority, Vendor


def voice_vendors() -> QuerySet[Vendor]:
    return Vendor.objects.filter(voice_assistant=True).select_related("lead_authority")


def vendor_directory() -> QuerySet[Vendor]:
    return Vendor.objects.select_related("lead_authority").order_by("-voice_assistant", "name")


def vendors_for_request(*, country: str = "") -> QuerySet[Vendor]:
    """The companies a request may go to, for a requester living in `country` ("" while it is
    not known). An entity that serves the residents of some countries only (`Vendor.countries`,
    Samsung Electronics GmbH for Germany) is left out for everybody else and comes first, before
    the general entity of the same name, for its own residents; while the country is not known
    every entity is listed and the page labels the national ones."""
    vendors = vendor_directory()
    code = country.strip().upper()
    if not code:
        return vendors
    national = Q(countries__contains=[code])
    return (
        vendors.filter(Q(countries=[]) | national)
        .annotate(national=ExpressionWrapper(national, output_field=BooleanField()))
        .order_by("-voice_assistant", "name", "-national", "legal_name")
    )


def authority_directory() -> QuerySet[Authority]:
    return Authority.objects.order_by("country", "subdivision", "short_name")


def vendor_for_request(slug: str) -> Vendor | None:
    """The company a request is filed to. Its lead authority is not needed for that."""
    return Vendor.objects.filter(slug=slug).first()


def api_vendors(*, country: str = "", voice_assistant: bool | None = None) -> QuerySet[Vendor]:
    vendors = Vendor.objects.order_by("-voice_assistant", "name", "pk")
    if country:
        vendors = vendors.filter(country=country.upper())
    if voice_assistant is not None:
        vendors = vendors.filter(voice_assistant=voice_assistant)
    return vendors


def api_authorities(*, country: str = "") -> QuerySet[Authority]:
    authorities = Authority.objects.order_by("country", "subdivision", "short_name", "pk")
    if country:
        authorities = authorities.filter(country=country.upper())
    return authorities


__all__ = [
    "api_authorities",
    "api_vendors",
    "authority_directory",
    "vendor_directory",
    "vendor_for_request",
    "vendors_for_request",
    "voice_vendors",
]
