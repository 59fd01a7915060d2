"""E-mails to people: rendered in the recipient's language from templates/emails/."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from cases.guidance import next_step
from cases.models import Case, Reminder, User
from cases.typography import one_full_stop


def case_url(case_id: int) -> str:
    return settings.SITE_URL + reverse("cases:case_detail", args=[case_id])


def _recipients(reminder: Reminder) -> list[User]:
    case = reminder.deadline.case
    people = [case.requester]
    if case.assignee_id and case.assignee_id != case.requester_id:
        people.append(case.assignee)
    return [p for p in people if p.is_active]


def greeting_name(person: User, case: Case) -> str:
    """The name an e-mail greets `person` by: their account's, else, for the person the request
    is about, the name on it. Never the e-mail address; empty means a neutral greeting."""
    if person.full_name.strip():
        return person.full_name.strip()
    if person.pk == case.requester_id:
        return case.requester_name.strip()
    return ""


def reminder_email_send(*, reminder: Reminder, today: date) -> int:
    """One e-mail per recipient, each in that person's language."""
    deadline = reminder.deadline
    sent = 0
    for person in _recipients(reminder):
        with translation.override(person.language or settings.LANGUAGE_CODE):
            context = {
                "person": person,
                "name": greeting_name(person, deadline.case),
                "case": deadline.case,
                "deadline": deadline,
                "days_left": (deadline.due_on - today).days,
                "days_late": (today - deadline.due_on).days,
                "next_step": next_step(deadline, today=today),
                "url": case_url(deadline.case_id),
            }
            subject = one_full_stop(
                render_to_string("emails/reminder_subject.txt", context).strip()
            )
            body = one_full_stop(render_to_string("emails/reminder_body.txt", context))
        EmailMessage(subject=subject, body=body, to=[person.email]).send()
        sent += 1
    return sent
