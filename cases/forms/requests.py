"""The request form: what a person asks a company for, and who they are."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.forms.common import COUNTRY_CHOICES
from cases.models import Article15Item
from cases.regions import GERMAN_LAENDER, regions_of


class RequestForm(forms.Form):
    """The details of an access request to one vendor (GDPR Art. 15)."""

    requester_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        help_text=_("As the company knows you."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    requester_email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("Where the company should send its answer."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    requester_country = forms.ChoiceField(
        label=_("Country where you live"),
        choices=[("", _("Choose a country")), *COUNTRY_CHOICES],
        help_text=_("It decides which data-protection authority you can complain to."),
    )
    requester_region = forms.ChoiceField(
        label=_("Land (Germany only)"),
        choices=[("", "—"), *GERMAN_LAENDER],
        required=False,
        help_text=_(
            "In Germany the supervisory authority of your Land handles complaints about companies."
        ),
    )
    requester_address = forms.CharField(
        label=_("Postal address (optional)"),
        required=False,
        max_length=1000,
        help_text=_("Only needed if you send the request by post."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    account_identifiers = forms.CharField(
        label=_("Account e-mail or other identifiers"),
        max_length=2000,
        help_text=_(
            "What the company can find your data with: the e-mail address of your account, "
            "a phone number, a customer number."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    device_serials = forms.CharField(
        label=_("Device serial numbers (optional)"),
        required=False,
        max_length=2000,
        help_text=_(
            "Recordings are stored by device. The serial number is in the app or under the device."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    requested_items = forms.MultipleChoiceField(
        label=_("What to ask for"),
        choices=Article15Item.choices,
        initial=[item.value for item in Article15Item],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("All of it is owed to you; we suggest asking for everything."),
        error_messages={"required": _("Choose at least one thing to ask for.")},
    )
    language = forms.ChoiceField(
        label=_("Language of the letter"),
        choices=settings.LANGUAGES,
        help_text=_("The letter is written in this language."),
    )

    def clean(self) -> dict[str, Any]:
        """The Land only for a requester in Germany (§ 40 BDSG); cleared for other countries."""
        cleaned = super().clean()
        if not regions_of(cleaned.get("requester_country") or ""):
            cleaned["requester_region"] = ""
        return cleaned

    def to_session(self) -> dict[str, Any]:
        """What is kept in the session while the person logs in or registers."""
        return {name: self.cleaned_data[name] for name in self.fields}
