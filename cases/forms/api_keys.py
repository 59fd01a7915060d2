"""API keys and webhook endpoints, for an organisation's admins and for each person."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from cases.models import ApiScope, WebhookEventType


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=50,
        help_text=gettext_lazy("Which tool will use it, so that you know what to revoke."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Access"),
        choices=ApiScope.choices,
        initial=ApiScope.READ,
        widget=forms.RadioSelect,
    )


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=WebhookEventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
