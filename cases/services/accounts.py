"""Services for accounts: registering, verifying the e-mail address, the language, and the
person's own data: a full export and deletion. The tracker practises what it asks of others."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import zipfile
from pathlib import PurePosixPath
from typing import IO, Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from cases.db import erasure_allowed
from cases.exceptions import CaseError
from cases.models import (
    Case,
    Deadline,
    Evidence,
    IdempotencyRecord,
    InboundMessage,
    Invitation,
    Letter,
    Membership,
    User,
    WebhookEvent,
)
from cases.selectors import cases_owned_by
from cases.typography import one_full_stop
from cases.uploads import safe_filename

logger = logging.getLogger(__name__)


# --- Registration and e-mail verification ----------------------------------------------------


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """A signed, expiring token (PASSWORD_RESET_TIMEOUT) for one address; it stops working once
    the address is verified or changed."""

    key_salt = "cases.services.accounts.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:  # type: ignore[override]
        return f"{user.pk}{user.email}{user.email_verified_at}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()


def _language(language: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


@transaction.atomic
def user_register(*, email: str, password: str, language: str = "", full_name: str = "") -> User:
    """Open an account that can be used at once; a link to verify the address goes out by
    e-mail after commit. The password must already have passed Django's validators."""
    email = User.objects.normalize_email(email.strip()).lower()
    if not email:
        raise CaseError(_("Enter your e-mail address."), field="email")
    if User.objects.filter(email__iexact=email).exists():
        raise CaseError(_("An account with this e-mail address already exists."), field="email")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, password, language=_language(language), full_name=full_name.strip()
            )
    except IntegrityError as exc:  # the same address registered a moment ago
        raise CaseError(
            _("An account with this e-mail address already exists."), field="email"
        ) from exc
    transaction.on_commit(lambda: user_verification_send(user=user))
    return user


def verification_url(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    return settings.SITE_URL + reverse("cases:verify_email", args=[uidb64, token])


def user_verification_send(*, user: User) -> bool:
    """E-mail the verification link in the person's language. A mail server that fails is
    logged, not raised: the account works, and the person can ask for a new link."""
    if user.email_verified_at is not None:
        return False
    with translation.override(_language(user.language)):
        context = {"user": user, "url": verification_url(user), "site_url": settings.SITE_URL}
        subject = one_full_stop(render_to_string("emails/verify_subject.txt", context).strip())
        body = one_full_stop(render_to_string("emails/verify_body.txt", context))
    try:
        EmailMessage(subject=subject, body=body, to=[user.email]).send()
    except Exception:
        logger.exception("verification e-mail to user %s not sent", user.pk)
        return False
    return True


def user_verify_email(*, uidb64: str, token: str) -> User | None:
    """Mark the address verified if the link is genuine and fresh; None otherwise."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not email_verification_token.check_token(user, token):
        return None
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user


def user_set_language(*, user: User, language: str) -> bool:
    """Remember the language the person chose, for pages and for the e-mails we send them."""
    if language not in {code for code, _name in settings.LANGUAGES} or language == user.language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True


# --- The person's own data -------------------------------------------------------------------

EXPORT_README = """\
This archive holds everything the voice data tracker stores about you:

- data.json: your account, and each of your cases with its timeline, deadlines and reminders,
  incidents, evidence (name, type, size, SHA-256) and letters (with their text), and the audit
  trail of changes to your cases;
- evidence/<case>/: the files you uploaded, as you uploaded them;
- letters/<case>/: the letters generated for you, as PDF.

Your password is stored only as a salted hash and is not included.
"""


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


CASE_FIELDS = [
    "id",
    "kind",
    "parent_id",
    "grounds",
    "requested_items",
    "requester_name",
    "requester_email",
    "requester_address",
    "requester_country",
    "account_identifiers",
    "device_serials",
    "language",
    "channel",
    "sent_on",
    "received_on",
    "vendor_reference",
    "status",
    "outcome",
    "missing_items",
    "created_at",
    "updated_at",
    "closed_at",
]


def _case_record(case: Case) -> dict[str, Any]:
    record: dict[str, Any] = {name: getattr(case, name) for name in CASE_FIELDS}
    record["vendor"] = {"name": case.vendor.name, "legal_name": case.vendor.legal_name}
    record["organisation"] = case.organisation.name if case.organisation else None
    record["events"] = [
        {"kind": e.kind, "on": e.occurred_on, "recorded_at": e.recorded_at, "note": e.note}
        | ({"data": e.data} if e.data else {})
        for e in case.events.all()
    ]
    record["deadlines"] = [
        {
            "kind": d.kind,
            "due_on": d.due_on,
            "state": d.state,
            "met_on": d.met_on,
            "paused_since": d.paused_since,
            "reminders": [
                {"offset_days": r.offset_days, "send_at": r.send_at, "sent_at": r.sent_at}
                for r in d.reminders.all()
            ],
        }
        for d in case.deadlines.all()
    ]
    record["incidents"] = [
        {
            "kind": i.kind,
            "occurred_on": i.occurred_on,
            "discovered_on": i.discovered_on,
            "reported_to_vendor_on": i.reported_to_vendor_on,
            "authority_notified_on": i.authority_notified_on,
            "records_affected": i.records_affected,
            "data_categories": i.data_categories,
            "description": i.description,
        }
        for i in case.incidents.all()
    ]
    return record


def _add_file(archive: zipfile.ZipFile, stored_name: str, arcname: str) -> bool:
    try:
        with default_storage.open(stored_name, "rb") as source, archive.open(arcname, "w") as out:
            while chunk := source.read(1024 * 1024):
                out.write(chunk)
    except (FileNotFoundError, OSError):
        logger.warning("export: stored file %s is missing", stored_name)
        return False
    return True


def user_export_zip(*, user: User, out: IO[bytes]) -> None:
    """Write to `out` one ZIP with everything the tracker holds about `user` (GDPR Art. 15 and
    20, applied to ourselves): data.json, their evidence files and their letters."""
    cases = list(
        cases_owned_by(user)
        .select_related("vendor", "organisation")
        .prefetch_related(
            "events",
            Prefetch("deadlines", queryset=Deadline.objects.prefetch_related("reminders")),
            "incidents",
            "evidence",
            "letters",
        )
        .order_by("pk")
    )
    memberships = user.memberships.select_related("organisation")
    data: dict[str, Any] = {
        "exported_at": timezone.now(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "language": user.language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "email_verified_at": user.email_verified_at,
            "calendar_token": user.calendar_token,
            "memberships": [
                {"organisation": m.organisation.name, "role": m.role} for m in memberships
            ],
        },
        "cases": [],
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for case in cases:
            record = _case_record(case)
            record["evidence"] = []
            for item in case.evidence.all():
                arcname = f"evidence/{case.pk}/{item.pk}-{safe_filename(item.original_name)}"
                present = _add_file(archive, item.file.name, arcname)
                record["evidence"].append(
                    {
                        "file": arcname if present else None,
                        "name": item.original_name,
                        "content_type": item.content_type,
                        "size": item.size,
                        "sha256": item.sha256,
                        "description": item.description,
                        "uploaded_at": item.uploaded_at,
                    }
                )
            record["letters"] = []
            for letter in case.letters.all():
                arcname = None
                if letter.pdf:
                    candidate = f"letters/{case.pk}/{PurePosixPath(letter.pdf.name).name}"
                    arcname = candidate if _add_file(archive, letter.pdf.name, candidate) else None
                record["letters"].append(
                    {
                        "kind": letter.kind,
                        "version": letter.version,
                        "language": letter.language,
                        "status": letter.status,
                        "created_at": letter.created_at,
                        "sent_on": letter.sent_on,
                        "sha256": letter.sha256,
                        "file": arcname,
                        "text": letter.rendered_text,
                    }
                )
            data["cases"].append(record)
        entries = LogEntry.objects.filter(additional_data__case_id__in=[c.pk for c in cases])
        data["audit_trail"] = [
            {
                "case_id": (e.additional_data or {}).get("case_id"),
                "timestamp": e.timestamp,
                "action": e.get_action_display(),
                "object": e.object_repr,
                "changes": e.changes,
            }
            for e in entries.order_by("timestamp", "pk")
        ]
        archive.writestr(
            "data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        archive.writestr("README.txt", EXPORT_README)


def _delete_stored(names: list[str]) -> None:
    folders = set()
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete stored file %s", name, exc_info=True)
        folders.add(str(PurePosixPath(name).parent))
    # FileSystemStorage leaves the per-case folders behind; remove them once empty.
    for folder in folders:
        with contextlib.suppress(NotImplementedError, OSError):
            os.rmdir(default_storage.path(folder))


def _stored_files(case_ids: list[int]) -> list[str]:
    return [
        name
        for name in (
            *Evidence.objects.filter(case__in=case_ids).values_list("file", flat=True),
            *Letter.objects.filter(case__in=case_ids).exclude(pdf="").values_list("pdf", flat=True),
            # Vendors' messages as received (cases.mail), also those only naming a closed case.
            *InboundMessage.objects.filter(Q(case__in=case_ids) | Q(case_hint__in=case_ids))
            .exclude(raw="")
            .values_list("raw", flat=True),
        )
        if name
    ]


# A string shorter than this is no identifier worth a search (and would match unrelated rows).
MIN_IDENTIFIER = 6


def _identifiers(*, cases: QuerySet[Case], user: User | None = None) -> set[str]:
    """The strings that single the person out in rows that do not point at them: their name,
    e-mail addresses, account identifiers and device serials, as written on their account and
    their cases. Not the postal address: a line such as "Luxembourg" would match other people's
    rows, whose trail must stay; the rows about the person are found by their keys first."""
    values: list[str] = []
    if user is not None:
        values += [user.email, user.full_name]
    for row in cases.values_list(
        "requester_name", "requester_email", "account_identifiers", "device_serials"
    ):
        values += row
    found = set()
    for value in values:
        for line in (value or "").splitlines():
            line = line.strip().strip(",;")
            if len(line) >= MIN_IDENTIFIER:
                found.add(line)
    return found


def _mentioning(fields: list[str], identifiers: set[str]) -> Q:
    match = Q(pk__in=[])
    for identifier in identifiers:
        for field in fields:
            match |= Q(**{f"{field}__icontains": identifier})
    return match


ERASED = "(erased)"


def _pseudonymise_audit(entries: QuerySet[LogEntry]) -> int:
    """Keep what happened, when, and to which kind of row (and the case's and organisation's
    number, which identify nobody once the case is gone); drop the values, the row's name, who
    did it and from where."""
    count = 0
    for entry in entries.only("pk", "additional_data").iterator():
        links = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        kept = {key: links[key] for key in ("case_id", "organisation_id") if key in links}
        count += LogEntry.objects.filter(pk=entry.pk).update(
            object_repr=ERASED,
            changes=None,
            changes_text="",
            serialized_data=None,
            additional_data={**kept, "erased": True},
            actor=None,
            actor_email=None,
            remote_addr=None,
            remote_port=None,
        )
    return count


def _erase_traces(*, case_ids: list[int], identifiers: set[str], user: User | None) -> None:
    """Everything outside the cases' own rows that holds the person's data. Runs inside
    erasure_allowed(), so that the append-only audit trail can be pseudonymised."""
    case_type = ContentType.objects.get_for_model(Case)
    user_type = ContentType.objects.get_for_model(User)
    case_pks = [str(pk) for pk in case_ids]
    about = (
        Q(additional_data__case_id__in=case_ids)
        | Q(content_type=case_type, object_pk__in=case_pks)
        | _mentioning(["object_repr", "changes_text", "changes", "serialized_data"], identifiers)
    )
    admin_about = Q(content_type=case_type, object_id__in=case_pks) | _mentioning(
        ["object_repr", "change_message"], identifiers
    )
    if user is not None:
        memberships = [str(pk) for pk in user.memberships.values_list("pk", flat=True)]
        invitations = Invitation.objects.filter(Q(email__iexact=user.email) | Q(accepted_by=user))
        about |= Q(
            content_type=ContentType.objects.get_for_model(Membership), object_pk__in=memberships
        ) | Q(
            content_type=ContentType.objects.get_for_model(Invitation),
            object_pk__in=[str(pk) for pk in invitations.values_list("pk", flat=True)],
        )
        admin_about |= Q(user=user) | Q(content_type=user_type, object_id=str(user.pk))
        invitations.delete()
    _pseudonymise_audit(LogEntry.objects.filter(about))
    if user is not None:
        # What they did to other people's rows keeps its values, not who did it.
        LogEntry.objects.filter(Q(actor=user) | Q(actor_email__iexact=user.email)).update(
            actor=None, actor_email=None, remote_addr=None, remote_port=None
        )
    AdminLogEntry.objects.filter(admin_about).delete()

    # Webhook events about the cases (their deliveries and attempts go with them).
    WebhookEvent.objects.filter(
        Q(case__in=case_ids) | _mentioning(["payload"], identifiers)
    ).delete()
    # Stored API answers: those of the person's own keys and session, and any about the cases.
    records = Q(path__regex=r"/cases/(" + "|".join(case_pks) + r")(/|$)") if case_pks else Q()
    records = records | _mentioning(["response_body"], identifiers)
    records |= Q(response_body__id__in=case_ids, path__endswith="/cases/")
    if user is not None:
        prefixes = user.api_keys.values_list("prefix", flat=True)
        records |= Q(principal=f"user:{user.pk}") | Q(
            principal__in=[f"key:{prefix}" for prefix in prefixes]
        )
    IdempotencyRecord.objects.filter(records).delete()


def _sessions_end(user: User) -> None:
    """Delete every session signed in as `user` (the database session store keeps them signed,
    so each is decoded: there is no column to filter on)."""
    doomed = [
        session.session_key
        for session in Session.objects.only("session_key", "session_data").iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=doomed).delete()


@transaction.atomic
def case_erase(*, case: Case) -> None:
    """Erase one case and everything on it, with what the audit trail, webhooks and stored API
    answers hold about it; its files go from storage after commit (GDPR Art. 17). The only way
    a case goes: its events are append-only otherwise."""
    cases = Case.objects.filter(pk=case.pk)
    identifiers = _identifiers(cases=cases)
    names = _stored_files([case.pk])
    with disable_auditlog(), erasure_allowed():
        _erase_traces(case_ids=[case.pk], identifiers=identifiers, user=None)
        cases.delete()
    transaction.on_commit(lambda: _delete_stored(names))


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Erase the account and everything that identifies the person (GDPR Art. 17): their cases
    with everything on them, their files in storage (after commit, so that a rollback never
    leaves rows pointing at deleted files), their sessions, memberships, API keys (and the API
    answers stored for them), invitations to their address, webhook events about their cases,
    and the admin's log about them.

    The audit trail stays append-only for everyone else; its entries about this person are
    pseudonymised: the action, the time and the kind of row stay, the values, the row's name and
    the actor go. A case they only worked on as a caseworker keeps its trail, without their
    name. Deletion writes no audit entry, which would name an actor that no longer exists."""
    user = User.objects.select_for_update().get(pk=user.pk)
    cases = Case.objects.filter(requester=user)
    case_ids = list(cases.values_list("pk", flat=True))
    identifiers = _identifiers(cases=cases, user=user)
    names = _stored_files(case_ids)
    with disable_auditlog(), erasure_allowed():
        _erase_traces(case_ids=case_ids, identifiers=identifiers, user=user)
        _sessions_end(user)
        user.delete()
    transaction.on_commit(lambda: _delete_stored(names))


__all__ = [
    "case_erase",
    "email_verification_token",
    "user_delete",
    "user_export_zip",
    "user_register",
    "user_set_language",
    "user_verification_send",
    "user_verify_email",
    "verification_url",
]
