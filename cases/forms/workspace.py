"""Forms of the advocacy workspace. They check shapes; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import (
    FOLLOW_UP_KINDS,
    Authority,
    BulkJob,
    Campaign,
    ErasureGround,
    IncidentKind,
    MandateScope,
    Membership,
    Organisation,
    RequestKind,
    RequestVariant,
    Status,
    Vendor,
)
from cases.selectors import SORTS, DashboardFilters


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, from the query string; bad values are ignored, not fatal."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    vendor = forms.ModelChoiceField(
        label=_("Company"), queryset=Vendor.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("any")), *list(Status.choices)], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_within = forms.IntegerField(
        label=_("Due within (days)"), min_value=0, max_value=366, required=False
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    incident_kind = forms.ChoiceField(
        label=_("Incident"),
        choices=[("", _("any")), *list(IncidentKind.choices)],
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("newest", _("newest first")),
            ("oldest", _("oldest first")),
            ("due", _("next deadline")),
            ("due_desc", _("latest deadline")),
            ("updated", _("recently changed")),
            ("vendor", _("company")),
            ("status", _("status")),
        ],
    )

    def __init__(
        self,
        *args: Any,
        vendors: list[Vendor],
        assignees: list[Any],
        campaigns: list[Campaign],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.filter(pk__in=[v.pk for v in vendors])
        self.fields["vendor"].choices = [("", _("any"))] + [(v.pk, v.name) for v in vendors]
        self.fields["assignee"].choices = [
            ("", _("anybody")),
            ("none", _("nobody")),
            *[(str(u.pk), u.get_full_name()) for u in assignees],
        ]
        self.fields["campaign"].queryset = Campaign.objects.filter(pk__in=[c.pk for c in campaigns])
        self.fields["campaign"].choices = [("", _("any"))] + [(c.pk, c.title) for c in campaigns]

    def filters(self) -> DashboardFilters:
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # a bad value drops that filter only: cleaned_data keeps the rest
            data = self.cleaned_data
        assignee = data.get("assignee") or ""
        vendor = data.get("vendor")
        campaign = data.get("campaign")
        sort = data.get("sort") or "newest"
        return DashboardFilters(
            vendor=vendor.pk if vendor else None,
            status=data.get("status") or "",
            overdue=bool(data.get("overdue")),
            due_within=data.get("due_within"),
            assignee=int(assignee) if assignee.isdigit() else None,
            unassigned=assignee == "none",
            campaign=campaign.pk if campaign else None,
            incident_kind=data.get("incident_kind") or "",
            q=data.get("q") or "",
            sort=sort if sort in SORTS else "newest",
        )


class BulkActionForm(forms.Form):
    """A bulk action on the ticked cases, or on every case the current filters match."""

    ACTIONS = [
        (BulkJob.Kind.ASSIGN, _("Assign to")),
        (BulkJob.Kind.REMINDERS, _("Generate reminders")),
        (BulkJob.Kind.COMPLAINTS, _("Generate complaints")),
        (BulkJob.Kind.FOLLOW_UPS, _("Send a follow-up request")),
        ("export", _("Export CSV")),
    ]

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    select_all = forms.BooleanField(label=_("every case matching the filters"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    authority = forms.ModelChoiceField(
        label=_("Authority (default: the company's lead authority)"),
        queryset=Authority.objects.order_by("country", "short_name"),
        required=False,
    )
    # A follow-up: sent only for the cases whose mandate covers the kind (the job lists the
    # others with the reason).
    request_kind = forms.ChoiceField(
        label=_("Follow-up request"),
        required=False,
        choices=[("", "—"), *[(k.value, k.label) for k in FOLLOW_UP_KINDS]],
    )
    grounds = forms.MultipleChoiceField(
        label=_("Grounds for erasure"),
        required=False,
        choices=ErasureGround.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, assignees: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("nobody")),
            *[(str(u.pk), u.get_full_name()) for u in assignees],
        ]
        self.assignees = {str(u.pk): u for u in assignees}

    def case_ids(self) -> list[str]:
        return [v for v in self.data.getlist("cases") if v] if hasattr(self.data, "getlist") else []

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("select_all") and not self.case_ids():
            raise forms.ValidationError(_("Select at least one case."))
        if data.get("action") == BulkJob.Kind.ASSIGN:
            data["assignee_user"] = self.assignees.get(data.get("assignee") or "")
        return data


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (the requester does not see it)"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)

    def __init__(self, *args: Any, assignees: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("nobody")),
            *[(str(u.pk), u.get_full_name()) for u in assignees],
        ]
        self.assignees = {str(u.pk): u for u in assignees}

    def user(self) -> Any:
        return self.assignees.get(self.cleaned_data.get("assignee") or "")


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.CASEWORKER
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "email", "address"]


class OrganisationCreateForm(forms.Form):
    """A new organisation and its Art. 80(1) declaration; staff verify it afterwards."""

    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(
        label=_("Postal address"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It appears on the letters the organisation sends."),
    )
    email = forms.EmailField(label=_("Contact e-mail"), required=False)
    declaration = forms.BooleanField(
        label=_(
            "I declare that this organisation is a not-for-profit body, properly constituted "
            "under the law of a Member State, with statutory objectives in the public interest, "
            "active in the protection of personal data (Article 80(1) GDPR), and that I may act "
            "for it."
        )
    )


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        required=False,
        help_text=_("The end of the public link. Left blank, it is made from the title."),
    )
    vendors = forms.ModelMultipleChoiceField(
        label=_("Companies"),
        queryset=Vendor.objects.order_by("-voice_assistant", "name"),
        widget=forms.CheckboxSelectMultiple,
    )
    request_variant = forms.ChoiceField(
        label=_("What the request asks for"), choices=RequestVariant.choices
    )
    # Optional: a form that leaves it out (an older page, a script) offers access.
    kind = forms.TypedChoiceField(
        label=_("What the campaign offers"),
        choices=RequestKind.choices,
        initial=RequestKind.ACCESS,
        required=False,
        empty_value=RequestKind.ACCESS.value,
        help_text=_(
            "Access, or a follow-up such as an objection to stop human review of the "
            "recordings. The mandate people give then covers it, and you can send it to every "
            "member's company in bulk."
        ),
    )
    scope = forms.MultipleChoiceField(
        label=_("Mandate asked for"),
        choices=MandateScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[MandateScope.CORRESPONDENCE, MandateScope.COMPLAINT],
    )
    landing_en = forms.CharField(label=_("Landing text (English)"), widget=forms.Textarea)
    landing_fr = forms.CharField(
        label=_("Landing text (French)"), widget=forms.Textarea, required=False
    )
    landing_de = forms.CharField(
        label=_("Landing text (German)"), widget=forms.Textarea, required=False
    )
    is_open = forms.BooleanField(label=_("Open for new people"), required=False, initial=True)


class MandateForm(forms.Form):
    """The data subject's consent: which organisation, what it may do, the text agreed to."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name")
    )
    scope = forms.MultipleChoiceField(
        label=_("The organisation may"),
        choices=MandateScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[MandateScope.CORRESPONDENCE, MandateScope.COMPLAINT],
    )
    kinds = forms.MultipleChoiceField(
        label=_("Besides access, it may also send in my name"),
        choices=[(k.value, k.label) for k in FOLLOW_UP_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked to let it send the access request only."),
    )
    consent_text_version = forms.CharField(widget=forms.HiddenInput)
    consent = forms.BooleanField(label=_("I agree to the text above."))


class CampaignJoinForm(forms.Form):
    """Joining a campaign: the company, and the mandate (Art. 80(1)) in the campaign's scope."""

    vendor = forms.ModelChoiceField(
        label=_("Company"), queryset=Vendor.objects.none(), widget=forms.RadioSelect
    )
    case = forms.ChoiceField(label=_("Which request"), required=False, widget=forms.RadioSelect)
    consent_text_version = forms.CharField(widget=forms.HiddenInput)
    consent = forms.BooleanField(label=_("I agree to the text above."))

    def __init__(self, *args: Any, campaign: Campaign, cases: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = campaign.vendors.all()
        self.fields["case"].choices = [("new", _("a new request"))] + [
            (str(c.pk), f"#{c.pk} {c.vendor.name} ({c.get_status_display()})") for c in cases
        ]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)
