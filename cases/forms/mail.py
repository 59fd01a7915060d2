"""Forms for the vendor's messages: confirm what one is, upload a saved one, file one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Article15Item, Case, Suggestion, in_article_order

CONFIRM_CHOICES = [
    (k.value, k.label)
    for k in (
        Suggestion.ACKNOWLEDGEMENT,
        Suggestion.IDENTITY,
        Suggestion.EXTENSION,
        Suggestion.REFUSAL,
        Suggestion.ANSWER,
    )
]


class MessageConfirmForm(forms.Form):
    kind = forms.ChoiceField(label=_("The message is"), choices=CONFIRM_CHOICES)
    # For an answer: what it contains; every item asked for and not ticked is missing (Art. 15).
    contains = forms.MultipleChoiceField(
        label=_("The answer contains"), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("Reason given for the extension"), required=False, max_length=500
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Article15Item.choices)
        self.fields["contains"].choices = [
            (item, labels[item]) for item in in_article_order(case.requested_items)
        ]


class MessageUploadForm(forms.Form):
    file = forms.FileField(label=_("A saved e-mail (.eml) or Outlook message (.msg)"))


class MessageFileForm(forms.Form):
    case = forms.IntegerField(label=_("Case number"), min_value=1)
