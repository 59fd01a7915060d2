"""The directory: the companies requests go to and the supervisory authorities."""

from __future__ import annotations

from django.db.models import QuerySet

from cases.models import Authority, Vendor


def voice_vendors() -> QuerySet[Vendor]:
    return Vendor.objects.filter(voice_assistant=True).select_related("lead_authority")


def vendor_directory() -> QuerySet[Vendor]:
    return Vendor.objects.select_related("lead_authority").order_by("-voice_assistant", "name")


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
    "voice_vendors",
]
