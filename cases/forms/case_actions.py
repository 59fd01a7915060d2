"""What happened on a case: one form per action of the case page. They check the input's shape;
the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cases import facts
from cases.actions import REPLY_ACKNOWLEDGEMENT, REPLY_PROGRESS
from cases.forms.common import DATA_CATEGORY_CHOICES, date_field
from cases.guidance import reminder_offset_label
from cases.models import (
    ALL_ITEMS,
    Channel,
    ErasureGround,
    Incident,
    IncidentKind,
    IncidentSide,
    Outcome,
    RequestKind,
    item_labels,
)
from cases.uploads import ACCEPTED_DESCRIPTION

REPORTABLE_INCIDENTS = [
    IncidentKind.MISDIRECTED_EXPORT,
    IncidentKind.UNDISCLOSED_REVIEW,
    IncidentKind.RECORDING_WITHOUT_WAKE_WORD,
    IncidentKind.INCOMPLETE_ANSWER,
    IncidentKind.EXCESSIVE_IDENTITY_DEMAND,
    IncidentKind.OTHER_BREACH,
]


class MarkSentForm(forms.Form):
    sent_on = date_field(_("Sent on"))
    channel = forms.ChoiceField(
        label=_("How you sent it"), choices=Channel.choices, widget=forms.RadioSelect
    )
    delivered_on = date_field(
        _("Delivered on (post only)"),
        required=False,
        help_text=_("The day the letter arrived, from the tracking. Leave empty if not yet."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("channel") != Channel.POST:
            cleaned["delivered_on"] = None
        return cleaned


class DeliveryForm(forms.Form):
    delivered_on = date_field(_("Delivered on"))


class IdentityRequestedForm(forms.Form):
    requested_on = date_field(_("The company asked on"))
    note = forms.CharField(
        label=_("What it asked for (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class IdentityProvidedForm(forms.Form):
    provided_on = date_field(
        _("Your answer reached the company on"),
        help_text=_("The clock runs again from this day."),
    )


class AcknowledgementForm(forms.Form):
    acknowledged_on = date_field(
        _("The company confirmed receipt on"),
        help_text=_(
            "A confirmation of receipt is not an answer: the deadline still runs from the day "
            "the company received your request."
        ),
    )
    note = forms.CharField(
        label=_("What it said (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExtensionForm(forms.Form):
    notified_on = date_field(_("The company told you on"))
    reason = forms.CharField(
        label=_("The reason it gave"),
        max_length=2000,
        help_text=_("Write “none given” if it gave no reason: that matters too."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AuthorityReplyForm(forms.Form):
    """What the authority sent about the complaint: Art. 78(2) counts only news of progress or
    an outcome, not an acknowledgement of receipt."""

    kind = forms.ChoiceField(
        label=_("What the authority sent"),
        choices=[
            (REPLY_ACKNOWLEDGEMENT, _("It only acknowledged receipt")),
            (REPLY_PROGRESS, _("It reported progress or an outcome")),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "A mere acknowledgement of receipt is not news of progress: the authority's three "
            "months run on."
        ),
    )
    replied_on = date_field(_("It wrote on"))
    note = forms.CharField(
        label=_("What it said (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResponseForm(forms.Form):
    """The answer, and the checklist of what the request's kind says it must contain (Art. 15,
    17 and 19, 21(1), 7(3), 18, 20). What it lacks is worked out by the service from the ticks
    (`facts.missing_items`)."""

    received_on = date_field(_("The answer arrived on"))
    contains = forms.MultipleChoiceField(
        label=_("What the answer contains"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick only what you actually received. Everything left unticked becomes a ground "
            "for a reminder or a complaint."
        ),
    )
    note = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, requested: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requested = [item for item in ALL_ITEMS if item in requested]
        labels = item_labels()
        self.fields["contains"].choices = [(item, labels[item]) for item in self.requested]


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[(kind.value, kind.label) for kind in REPORTABLE_INCIDENTS],
        widget=forms.RadioSelect,
    )
    side = forms.ChoiceField(
        label=_("Whose data were sent to the wrong person?"),
        choices=IncidentSide.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Only for data sent to the wrong person. If a stranger's recordings reached you, "
            "the letters report it for them; they do not complain in your name about data "
            "that are not yours."
        ),
    )
    special_categories = forms.BooleanField(
        label=_("The recordings reveal health, sex life, religion, politics or similar"),
        required=False,
        help_text=_("Such data have special protection (Art. 9 GDPR); the complaint says so."),
    )
    occurred_on = date_field(_("It happened on (if known)"), required=False)
    discovered_on = date_field(_("You found out on"))
    reported_to_vendor_on = date_field(_("You told the company on (optional)"), required=False)
    records_affected = forms.IntegerField(
        label=_("Records affected (if known)"),
        required=False,
        min_value=0,
        help_text=_("For example the number of recordings."),
    )
    data_categories = forms.MultipleChoiceField(
        label=_("Data concerned"),
        required=False,
        choices=DATA_CATEGORY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    other_categories = forms.CharField(
        label=_("Other data concerned (optional)"),
        required=False,
        max_length=500,
        help_text=_("Separate several with commas."),
    )
    description = forms.CharField(
        label=_("Describe what happened"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == IncidentKind.MISDIRECTED_EXPORT and not data.get("side"):
            self.add_error("side", _("Say whose data were sent to the wrong person."))
        return data

    @property
    def categories(self) -> list[str]:
        chosen = list(self.cleaned_data.get("data_categories") or [])
        extra = (self.cleaned_data.get("other_categories") or "").split(",")
        return chosen + [c.strip() for c in extra if c.strip()]


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=format_lazy(
            _("Up to {size}: {kinds}."),
            size=lazy(filesizeformat, str)(settings.UPLOAD_MAX_BYTES),
            kinds=ACCEPTED_DESCRIPTION,
        ),
        error_messages={"required": _("Choose a file to upload.")},
    )
    description = forms.CharField(
        label=_("What it is (optional)"),
        required=False,
        max_length=500,
        help_text=_("For example: the company's answer of 3 May, a screenshot of the app."),
    )
    is_vendor_answer = forms.BooleanField(
        label=_("This is the company's answer"),
        required=False,
        help_text=_("Its letter or its export: a complaint encloses it for you."),
    )
    incident = forms.TypedChoiceField(
        label=_("It concerns the incident (optional)"),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args: Any, incidents: list[Incident], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.incidents = {incident.pk: incident for incident in incidents}
        if incidents:
            self.fields["incident"].choices = [
                ("", "—"),
                *((i.pk, f"{i.get_kind_display()} ({i.discovered_on})") for i in incidents),
            ]
        else:
            del self.fields["incident"]

    @property
    def incident_object(self) -> Incident | None:
        return self.incidents.get(self.cleaned_data.get("incident"))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How it ended"),
        choices=[(o.value, o.label) for o in Outcome if o != Outcome.NONE],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# What each follow-up does, in plain words, as the form offers it.
FOLLOW_UP_OFFERS: dict[str, Any] = {
    RequestKind.ERASURE: _(
        "Erasure: delete my recordings, their transcripts and the reviewers' notes (Art. 17)"
    ),
    RequestKind.OBJECTION: _(
        "Objection: stop people listening to my recordings and stop using them to improve "
        "the service (Art. 21)"
    ),
    RequestKind.WITHDRAWAL: _(
        "Withdrawal of consent: I take back my consent to “help improve” the assistant (Art. 7(3))"
    ),
    RequestKind.RESTRICTION: _(
        "Restriction: keep my recordings untouched while my objection is decided (Art. 18)"
    ),
    RequestKind.PORTABILITY: _(
        "Portability: give me my recordings and transcripts in a format I can reuse (Art. 20)"
    ),
}


class FollowUpForm(forms.Form):
    """Ask for more after an access request: the kinds to send (each becomes its own case with
    its own letter and clock) and, for erasure, why in plain words (Art. 17(1)(b), (c), (d))."""

    kinds = forms.MultipleChoiceField(
        label=_("What do you want to ask for?"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each becomes a request of its own, with its own letter and its own one-month "
            "time limit. Send the letters together or one by one."
        ),
    )
    grounds = forms.MultipleChoiceField(
        label=_("Why must the data be erased?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=ErasureGround.choices,
        help_text=_("Only for erasure: tick every reason that applies to you."),
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = kinds

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if RequestKind.ERASURE in data.get("kinds", []) and not data.get("grounds"):
            self.add_error("grounds", _("Say why the data must be erased."))


def _offset_choices() -> list[tuple[int, str]]:
    days = sorted(set(facts.REMINDER_OFFSET_CHOICES) | set(settings.REMINDER_OFFSETS_DAYS))
    return [(d, reminder_offset_label(d)) for d in days]


class ReminderSettingsForm(forms.Form):
    """Reminder e-mails for one case: off, or on at the days chosen around each deadline."""

    enabled = forms.BooleanField(label=_("E-mail me reminders about this case"), required=False)
    offsets = forms.TypedMultipleChoiceField(
        label=_("When"),
        choices=_offset_choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Days before or after each deadline."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("enabled") and not data.get("offsets"):
            self.add_error("offsets", _("Choose at least one day, or turn reminders off."))
        return data
