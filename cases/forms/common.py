"""What the forms of every area share: choices, the date picker, and how a service's error is
shown next to the field it concerns."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.exceptions import CaseError

# Where a requester may live: the EEA, the United Kingdom and Switzerland, the countries whose
# authorities the directory knows (Art. 77: a complaint may go to the authority of residence).
COUNTRY_CHOICES = [
    ("AT", _("Austria")),
    ("BE", _("Belgium")),
    ("BG", _("Bulgaria")),
    ("HR", _("Croatia")),
    ("CY", _("Cyprus")),
    ("CZ", _("Czechia")),
    ("DK", _("Denmark")),
    ("EE", _("Estonia")),
    ("FI", _("Finland")),
    ("FR", _("France")),
    ("DE", _("Germany")),
    ("GR", _("Greece")),
    ("HU", _("Hungary")),
    ("IS", _("Iceland")),
    ("IE", _("Ireland")),
    ("IT", _("Italy")),
    ("LV", _("Latvia")),
    ("LI", _("Liechtenstein")),
    ("LT", _("Lithuania")),
    ("LU", _("Luxembourg")),
    ("MT", _("Malta")),
    ("NL", _("Netherlands")),
    ("NO", _("Norway")),
    ("PL", _("Poland")),
    ("PT", _("Portugal")),
    ("RO", _("Romania")),
    ("SK", _("Slovakia")),
    ("SI", _("Slovenia")),
    ("ES", _("Spain")),
    ("SE", _("Sweden")),
    ("CH", _("Switzerland")),
    ("GB", _("United Kingdom")),
]

# Incidents a person can report; the others (no answer, a late extension) the tracker records.
DATA_CATEGORY_CHOICES = [
    ("audio", _("audio recordings")),
    ("transcripts", _("transcripts")),
    ("annotations", _("reviewers' annotations")),
    ("contacts", _("contacts")),
    ("location", _("location")),
    ("purchase history", _("purchase history")),
    ("device identifiers", _("device identifiers and serial numbers")),
    ("account details", _("name, e-mail and account details")),
    ("voice of a third party", _("voices of other people")),
]
DATA_CATEGORY_LABELS = dict(DATA_CATEGORY_CHOICES)


def show_error(form: forms.Form, error: CaseError, *, fields: dict[str, str] | None = None) -> None:
    """Put a service's error next to the field it names (renamed through `fields`)."""
    field = (fields or {}).get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


class DateInput(forms.DateInput):
    """The browser's date picker; it sends ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        initial=timezone.localdate if required else None,
    )
