"""Legal clocks on a case and the reminders sent about them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case


class DeadlineKind(models.TextChoices):
    RESPONSE = "response", _("response due (Art. 12(3))")
    EXTENSION_NOTICE = "extension_notice", _("last day to notify an extension (Art. 12(3))")
    EXTENDED_RESPONSE = "extended_response", _("extended response due (Art. 12(3))")
    ADMONITION = "admonition", _("reply to our reminder due")
    # No longer a clock (migration 0010 removed the rows): kept so that history still reads.
    BREACH_NOTIFICATION = "breach_notification", _("breach notification due (Art. 33(1))")
    AUTHORITY_PROGRESS = (
        "authority_progress",
        _("authority's news on the complaint due (Art. 78(2))"),
    )


class DeadlineState(models.TextChoices):
    OPEN = "open", _("open")
    MET = "met", _("met")
    MISSED = "missed", _("missed")


class Deadline(models.Model):
    """A clock on a case, derived from its events by the deadline engine and stored for queries.

    `key` tells clocks of the same kind apart (one admonition per reminder letter, one authority
    clock per complaint) so that recomputing a case updates rows instead of adding new ones.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("kind"), max_length=24, choices=DeadlineKind.choices)
    key = models.CharField(max_length=64)
    due_on = models.DateField(_("due on"))
    state = models.CharField(
        _("state"), max_length=8, choices=DeadlineState.choices, default=DeadlineState.OPEN
    )
    met_on = models.DateField(_("met on"), null=True, blank=True)
    # While the vendor waits for the requester's identity the clock stands still (EDPB 01/2022):
    # no reminders, and it is not overdue.
    paused_since = models.DateField(_("paused since"), null=True, blank=True)
    # A pause the person disputes (identity demand recorded as excessive) does not move `due_on`;
    # the date the vendor would claim by counting it is kept here so that letters show both.
    due_on_with_disputed_pause = models.DateField(
        _("due on, counting the disputed pause"), null=True, blank=True
    )
    missed_at = models.DateTimeField(_("marked missed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="deadline_one_per_case_and_key"),
            models.CheckConstraint(
                condition=models.Q(state__in=["open", "met", "missed"]),
                name="deadline_state_known",
            ),
        ]
        indexes = [
            # "Overdue" and "due within N days" are queries on open deadlines by date.
            models.Index(
                fields=["due_on"],
                name="deadline_open_by_due",
                condition=models.Q(state="open"),
            ),
            models.Index(fields=["case", "state"], name="deadline_case_state"),
            # selectors.overdue_deadlines: open or missed, not yet answered, not paused.
            models.Index(
                fields=["due_on"],
                name="deadline_unmet_by_due",
                condition=models.Q(met_on__isnull=True, paused_since__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.due_on}"


class Reminder(models.Model):
    """One e-mail about one deadline at one offset; sent at most once (unique row, atomic claim)."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    # Days relative to the due date: -7 is a week before, 0 the day itself, 1 the day after.
    offset_days = models.SmallIntegerField()
    send_at = models.DateTimeField()
    # Set when the dispatcher handed it to the broker, so that it is not queued again at once.
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["send_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "offset_days"], name="reminder_one_per_deadline_and_offset"
            ),
        ]
        indexes = [
            # The dispatcher's query: pending reminders by send time, however old.
            models.Index(
                fields=["send_at"],
                name="reminder_pending_by_send_at",
                condition=models.Q(sent_at__isnull=True, cancelled_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline} ({self.offset_days:+d} d)"
