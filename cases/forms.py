"""Forms of the web pages. They check input shape only; the rules live in the services, whose
errors (CaseError.field) are shown next to the field they concern (`show_error`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cases.exceptions import CaseError
from cases.models import Article15Item, Channel, Incident, IncidentKind, Outcome, User
from cases.uploads import ACCEPTED_DESCRIPTION

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
REPORTABLE_INCIDENTS = [
    IncidentKind.MISDIRECTED_EXPORT,
    IncidentKind.UNDISCLOSED_REVIEW,
    IncidentKind.RECORDING_WITHOUT_WAKE_WORD,
    IncidentKind.INCOMPLETE_ANSWER,
    IncidentKind.EXCESSIVE_IDENTITY_DEMAND,
    IncidentKind.OTHER_BREACH,
]

DATA_CATEGORY_CHOICES = [
    ("audio", _("audio recordings")),
    ("transcripts", _("transcripts")),
    ("annotations", _("reviewers' annotations")),
    ("contacts", _("contacts")),
    ("location", _("location")),
    ("purchase history", _("purchase history")),
    ("device identifiers", _("device identifiers and serial numbers")),
    ("account details", _("name, e-mail and account details")),
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


# --- The request form ------------------------------------------------------------------------


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

    def to_session(self) -> dict[str, Any]:
        """What is kept in the session while the person logs in or registers."""
        return {name: self.cleaned_data[name] for name in self.fields}


# --- Accounts --------------------------------------------------------------------------------


class RegistrationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this e-mail address already exists. Log in instead.")
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first, User(email=cleaned.get("email") or ""))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, asking for the e-mail address (User.USERNAME_FIELD)."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("This e-mail address and password do not match an account."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class EmailPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class DeleteAccountForm(forms.Form):
    """Deleting everything asks for the password (or, without one, the e-mail address)."""

    confirm = forms.CharField(strip=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["confirm"]
        if user.has_usable_password():
            field.label = _("Your password")
            field.widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})
        else:
            field.label = _("Your e-mail address")
            field.widget = forms.EmailInput()

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"]
        if self.user.has_usable_password():
            if not self.user.check_password(value):
                raise forms.ValidationError(_("This is not your password."))
        elif value.strip().lower() != self.user.email:
            raise forms.ValidationError(_("This is not your e-mail address."))
        return value


# --- What happened on a case -----------------------------------------------------------------


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


class ExtensionForm(forms.Form):
    notified_on = date_field(_("The company told you on"))
    reason = forms.CharField(
        label=_("The reason it gave"),
        max_length=2000,
        help_text=_("Write “none given” if it gave no reason: that matters too."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResponseForm(forms.Form):
    """The answer, and a checklist of what Article 15 says it must contain. What it lacks is
    worked out by the service from the ticks (`facts.missing_items`)."""

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
        self.requested = [item for item in Article15Item.values if item in requested]
        labels = dict(Article15Item.choices)
        self.fields["contains"].choices = [(item, labels[item]) for item in self.requested]


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[(kind.value, kind.label) for kind in REPORTABLE_INCIDENTS],
        widget=forms.RadioSelect,
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
