"""Forms of the export analyser: the upload, the devices the person owns, the checklist."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms.common import date_field
from cases.models import Article15Item


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class OwnedField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("Your devices and voice profiles"),
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_(
                'One per line, as the company names them ("Echo Dot", "Kitchen", your '
                "profile's name). Recordings from anything else may be a stranger's."
            ),
            **kwargs,
        )

    def clean(self, value: Any) -> list[str]:  # type: ignore[override]
        return _lines(super().clean(value))


class ExportUploadForm(forms.Form):
    file = forms.FileField(label=_("The export (ZIP, JSON, CSV or Excel)"))
    owned = OwnedField()
    keep_transcripts = forms.BooleanField(
        label=_("Keep the transcripts in the report"),
        required=False,
        help_text=_("Without this, only counts and flags are kept, never what was said."),
    )


class OwnedForm(forms.Form):
    owned = OwnedField()


class ExportChecklistForm(forms.Form):
    received_on = date_field(_("The answer arrived on"))
    contains = forms.MultipleChoiceField(
        label=_("What the answer contains"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=Article15Item.choices,
        help_text=_(
            "Ticked from what the export shows; check each. Everything left unticked becomes a "
            "ground for a reminder or a complaint."
        ),
    )
