"""The directory: the companies requests go to and the authorities complaints go to."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class Authority(models.Model):
    """A data-protection supervisory authority (GDPR Art. 51)."""

    slug = models.SlugField(max_length=64, unique=True)
    short_name = models.CharField(_("short name"), max_length=64)
    name = models.CharField(_("name"), max_length=300)
    # Upper-case ISO 3166-1 alpha-2 code, with an optional ISO 3166-2 subdivision ("DE", "HH").
    country = models.CharField(_("country"), max_length=2, db_index=True)
    subdivision = models.CharField(_("subdivision"), max_length=8, blank=True)
    address = models.TextField(_("postal address"))
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    complaint_webform = models.URLField(_("complaint web form"), max_length=500, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    # ISO 639-1 codes, first the one a complaint should preferably be written in.
    complaint_languages = models.JSONField(_("complaint languages"), default=list, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    # The grammatical gender of the official name in the letter languages that need an article
    # before it ({"fr": "f", "de": "f"}); where it is missing, letters name the authority in
    # apposition ("der Aufsichtsbehörde „…“") instead of guessing.
    name_gender = models.JSONField(_("gender of the name"), default=dict, blank=True)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["country", "subdivision", "short_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country=Upper("country")),
                name="authority_country_upper_case",
            ),
        ]

    def __str__(self) -> str:
        region = f"{self.country}-{self.subdivision}" if self.subdivision else self.country
        return f"{self.short_name} ({region})"

    @property
    def complaint_language(self) -> str:
        """The language a complaint is written in unless the user chooses another."""
        return self.complaint_languages[0] if self.complaint_languages else "en"


class Vendor(models.Model):
    """The controller behind a product, to whom an access request goes (GDPR Art. 4(7))."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        WEBFORM = "webform", _("web form")
        POST = "post", _("post")

    slug = models.SlugField(max_length=100, unique=True)
    # The name people know ("Amazon"); the legal entity is what a letter is addressed to.
    name = models.CharField(_("common name"), max_length=200, db_index=True)
    legal_name = models.CharField(_("legal entity"), max_length=300)
    products = models.JSONField(_("products"), default=list, blank=True)
    voice_assistant = models.BooleanField(
        _("voice assistant"), default=False, help_text=_("Shown first in the request form.")
    )
    address = models.TextField(_("postal address"))
    # Whose public holidays extend a deadline (Reg. 1182/71 Art. 2(1)).
    country = models.CharField(_("holiday country"), max_length=2)
    subdivision = models.CharField(_("holiday subdivision"), max_length=8, blank=True)
    email = models.EmailField(_("privacy e-mail"), blank=True)
    webform = models.URLField(_("privacy web form"), max_length=500, blank=True)
    # The request kinds (`RequestKind` values) the web form takes, where it takes only some (a
    # data-download page takes access requests only); empty: every kind.
    webform_kinds = models.JSONField(_("web form takes"), default=list, blank=True)
    dpo_contact = models.TextField(_("data protection officer"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    request_language = models.CharField(_("request language"), max_length=8, default="en")
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, blank=True
    )
    # Residents of these countries (ISO 3166-1 alpha-2) are served by this entity; empty: all.
    # Lets the directory offer a national entity (Samsung Electronics GmbH for Germany).
    countries = models.JSONField(_("for residents of"), default=list, blank=True)
    lead_authority = models.ForeignKey(
        Authority,
        verbose_name=_("lead authority"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead_for",
    )
    notes = models.TextField(_("notes"), blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["-voice_assistant", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country=Upper("country")),
                name="vendor_country_upper_case",
            ),
        ]

    def __str__(self) -> str:
        if self.products:
            return f"{self.name} ({', '.join(self.products[:3])})"
        return self.name
