"""The reply address of a case: `case+<token>@<DSAR_INBOUND_DOMAIN>`.

The token is 128 random bits (`secrets`), written in lower-case base32 so that a mail server
that folds the local part to lower case does not break it. Only its SHA-256 is stored.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterable

from django.conf import settings

from cases.models import Case, Letter, ReplyToken

PREFIX = "case+"
TOKEN_RE = re.compile(r"case\+([a-z2-7]{26})@([^>\s,;]+)", re.IGNORECASE)


def _digest(token: str) -> str:
    return hashlib.sha256(token.lower().encode()).hexdigest()


def inbound_domain() -> str:
    return settings.DSAR_INBOUND_DOMAIN.strip().lower()


def reply_address_issue(*, case: Case, letter: Letter | None = None) -> str:
    """A new reply address for `case` (one per letter sent); "" without an inbound domain."""
    domain = inbound_domain()
    if not domain:
        return ""
    token = base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=").lower()
    ReplyToken.objects.create(case=case, letter=letter, token_sha256=_digest(token))
    return f"{PREFIX}{token}@{domain}"


def tokens_in(addresses: Iterable[str]) -> list[str]:
    """The reply tokens among `addresses` (To, Cc, Delivered-To, envelope), for our domain."""
    domain = inbound_domain()
    found = []
    for address in addresses:
        for token, at in TOKEN_RE.findall(address or ""):
            if not domain or at.lower().rstrip(".") == domain:
                found.append(token.lower())
    return list(dict.fromkeys(found))


def reply_token_find(token: str) -> ReplyToken | None:
    """The stored token, revoked or not; None for a token nobody issued (forged)."""
    return ReplyToken.objects.select_related("case").filter(token_sha256=_digest(token)).first()


def case_reference(case: Case) -> str:
    """Our reference in the subject of every letter, for replies sent from elsewhere."""
    return f"DSAR-{case.pk}"


CASE_REFERENCE_RE = re.compile(r"\bDSAR-(\d{1,12})\b")
