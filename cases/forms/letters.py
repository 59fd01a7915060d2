"""Asking for a letter, and recording that it was sent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from cases.letters.phrases import LANGUAGES
from cases.models import Authority, Channel, LetterKind
from cases.regions import GERMAN_LAENDER

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch"}
LANGUAGE_CHOICES = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


class LetterRequestForm(forms.Form):
    kind = forms.ChoiceField(choices=LetterKind.choices)
    language = forms.ChoiceField(
        choices=[
            ("", gettext_lazy("the recipient's language")),
            *LANGUAGE_CHOICES,
        ],
        required=False,
    )
    # A suggested authority's id, or "other" for the one chosen in `other_authority`.
    authority = forms.CharField(required=False)
    other_authority = forms.ModelChoiceField(Authority.objects.all(), required=False)
    incident = forms.IntegerField(required=False)
    # A complaint states whether court proceedings on the same matter are pending.
    court_proceedings = forms.ChoiceField(
        choices=[("", ""), ("no", "no"), ("yes", "yes")], required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # A complaint states the answer, so the page asks for it (the API may leave it out).
        if data.get("kind") == LetterKind.COMPLAINT and not data.get("court_proceedings"):
            self.add_error(
                "court_proceedings",
                gettext_lazy("Say whether a court is already dealing with the same matter."),
            )
        return data

    def court_proceedings_pending(self) -> bool | None:
        answer = self.cleaned_data.get("court_proceedings") or ""
        return {"yes": True, "no": False}.get(answer)

    def chosen_authority(self) -> Authority | None:
        choice = self.cleaned_data.get("authority") or ""
        if choice == "other":
            return self.cleaned_data.get("other_authority")
        if choice.isdigit():
            return Authority.objects.filter(pk=int(choice)).first()
        return None


class LetterSentForm(forms.Form):
    sent_on = forms.DateField()
    channel = forms.ChoiceField(choices=[("", ""), *Channel.choices], required=False)


class RegionForm(forms.Form):
    """The Land a requester in Germany lives in, asked on the complaint's page: its authority is
    the competent one for a complaint about a company (§ 40 BDSG)."""

    region = forms.ChoiceField(
        label=gettext_lazy("In which Land do you live?"),
        choices=[("", "—"), *GERMAN_LAENDER],
        help_text=gettext_lazy(
            "In Germany the supervisory authority of your Land handles complaints about companies."
        ),
    )
