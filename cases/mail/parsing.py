"""Raw bytes of a message to one `ParsedMail`, whichever way it came.

RFC 5322 messages are read by the standard library's `email` package with `policy=default`
(lenient: a malformed message yields defects, not an exception); Outlook `.msg` files by
`extract-msg`. HTML is reduced to text by `nh3` (Ammonia): nothing in it is ever fetched, and
no markup of the sender's reaches a page.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import getaddresses, parsedate_to_datetime

import nh3

logger = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Outlook .msg files are OLE2 compound files
MAX_TEXT = 200_000  # characters of body text kept for display and rules


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    # Every address the message was delivered to (To, Cc, Delivered-To, X-Original-To).
    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    text: str = ""
    was_html: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names, first value
    is_delivery_report: bool = False
    defects: int = 0
    forwarded: ParsedMail | None = None  # a message attached whole (message/rfc822)


def looks_like_msg(raw: bytes) -> bool:
    return raw.startswith(OLE_MAGIC)


_BLOCK_END = re.compile(r"(?i)<\s*(br|/p|/div|/tr|/li|/h[1-6]|/table)\b[^>]*>")


def html_to_text(markup: str) -> str:
    """The text of an HTML body: every tag dropped (images, links, styles, scripts: nothing is
    fetched or kept), block ends as line breaks, entities decoded."""
    markup = _BLOCK_END.sub("\n", markup)
    text = html.unescape(nh3.clean(markup, tags=set(), clean_content_tags={"script", "style"}))
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot parse: fall back to its raw text
        value = next((v for k, v in message.raw_items() if k.lower() == name.lower()), "")
    return str(value or "").strip()


def _addresses(message: EmailMessage, *names: str) -> list[str]:
    values = []
    for name in names:
        try:
            values += [str(v) for v in message.get_all(name, [])]
        except Exception:
            values += [v for k, v in message.raw_items() if k.lower() == name.lower()]
    return [addr.lower() for _, addr in getaddresses(values) if addr]


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text_of(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except Exception:  # an unknown charset, a broken transfer encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    return content if isinstance(content, str) else ""


def _body(message: EmailMessage) -> tuple[str, bool]:
    try:
        body = message.get_body(preferencelist=("plain", "html"))
        if (
            body is not None
            and body.get_content_subtype() == "plain"
            and not _text_of(body).strip()
        ):
            body = message.get_body(preferencelist=("html",)) or body  # an empty plain part
    except Exception:
        body = None
    if body is None:
        if message.get_content_maintype() == "text":
            body = message
        else:
            return "", False
    text = _text_of(body)
    if body.get_content_subtype() == "html":
        return html_to_text(text)[:MAX_TEXT], True
    return text[:MAX_TEXT], False


def _walk_attachments(message: EmailMessage) -> tuple[list[Attachment], EmailMessage | None]:
    """Files attached, and the first whole message attached (a forward)."""
    attachments: list[Attachment] = []
    forwarded: EmailMessage | None = None
    try:
        parts = list(message.iter_attachments())
    except Exception:
        parts = [p for p in message.walk() if p.get_filename()]
    for part in parts:
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, str | bytes):  # encoded against RFC 2046: decode, then read
                inner = message_from_bytes(
                    part.get_payload(decode=True) or b"", policy=default_policy
                )
            if forwarded is None and isinstance(inner, EmailMessage):
                forwarded = inner
                continue
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True) or b""
        name = part.get_filename() or ""
        if not data or (not name and ctype.startswith("text/")):
            continue
        attachments.append(Attachment(name or "attachment", ctype, data))
    return attachments, forwarded


def _from_message(message: EmailMessage, depth: int = 0) -> ParsedMail:
    text, was_html = _body(message)
    attachments, forwarded = _walk_attachments(message)
    from_addresses = _addresses(message, "from")
    content_type = message.get_content_type()
    report = content_type == "multipart/report" and (
        message.get_param("report-type", "") or ""
    ).lower() in ("delivery-status", "")
    report = report or any(
        p.get_content_type() == "message/delivery-status" for p in message.walk()
    )
    headers: dict[str, str] = {}
    for name, _value in message.raw_items():
        headers.setdefault(name.lower(), _header(message, name))
    return ParsedMail(
        message_id=_header(message, "message-id")[:998],
        from_address=from_addresses[0] if from_addresses else "",
        to=_addresses(message, "to"),
        recipients=_addresses(message, "to", "cc", "delivered-to", "x-original-to", "envelope-to"),
        subject=_header(message, "subject").replace("\n", " ")[:998],
        date=_date(_header(message, "date")),
        text=text,
        was_html=was_html,
        attachments=attachments,
        headers=headers,
        is_delivery_report=report,
        defects=len(message.defects),
        forwarded=_from_message(forwarded, depth + 1)
        if forwarded is not None and depth < 2
        else None,
    )


def parse_eml(raw: bytes) -> ParsedMail:
    message = message_from_bytes(raw, policy=default_policy)
    return _from_message(message)  # type: ignore[arg-type]


def parse_msg(raw: bytes) -> ParsedMail:
    """An Outlook .msg file (extract-msg)."""
    import extract_msg

    msg = extract_msg.openMsg(raw)
    try:
        body = msg.body or ""
        was_html = False
        if not body.strip() and msg.htmlBody:
            body, was_html = html_to_text(msg.htmlBody.decode("utf-8", "replace")), True
        attachments = []
        for att in msg.attachments:
            data = getattr(att, "data", None)
            if isinstance(data, bytes) and data:
                name = att.longFilename or att.shortFilename or "attachment"
                attachments.append(
                    Attachment(
                        name, getattr(att, "mimetype", "") or "application/octet-stream", data
                    )
                )
        sent = msg.date
        if isinstance(sent, datetime) and sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
        if not isinstance(sent, datetime) and msg.header is not None:
            sent = _date(str(msg.header.get("Date") or ""))  # only the transport headers say
        headers = {k.lower(): str(v) for k, v in (msg.header.items() if msg.header else [])}
        to = [a.lower() for _, a in getaddresses([msg.to or ""]) if a]
        cc = [a.lower() for _, a in getaddresses([msg.cc or ""]) if a]
        senders = [a.lower() for _, a in getaddresses([msg.sender or ""]) if a]
        return ParsedMail(
            message_id=(msg.messageId or "")[:998],
            from_address=senders[0] if senders else "",
            to=to,
            recipients=to + cc,
            subject=(msg.subject or "")[:998],
            date=sent if isinstance(sent, datetime) else None,
            text=body[:MAX_TEXT],
            was_html=was_html,
            attachments=attachments,
            headers=headers,
        )
    finally:
        msg.close()


def parse_headers_only(raw: bytes) -> ParsedMail:
    """The headers of a message too large to read whole."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    return parse_eml(head + b"\r\n\r\n")


def parse(raw: bytes) -> ParsedMail:
    return parse_msg(raw) if looks_like_msg(raw) else parse_eml(raw)


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower() if "@" in address else ""
