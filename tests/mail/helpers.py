"""Real mail servers on loopback for the mail tests: an SMTP server (aiosmtpd) that keeps what
it receives, and a throwaway dovecot IMAP server with one mailbox (see `dovecot_server`)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import service_missing


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=default_policy)  # type: ignore[return-value]


@dataclass
class SmtpSink:
    """aiosmtpd's handler: every message the server accepts, in order."""

    received: list[Received] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            return "554 5.7.1 refused by the test"
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 OK"


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpSink]:
    """An SMTP server on a loopback port, and Django's SMTP backend pointed at it."""
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()


DOVECOT_CONF = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {user}
default_internal_group = {group}
mail_location = maildir:{base}/mail/%u
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str

    @property
    def url(self) -> str:
        return f"imap://{self.user}:{self.password}@{self.host}:{self.port}/INBOX"

    def client(self):
        from imapclient import IMAPClient

        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver a message the way a mail server would: IMAP APPEND into the mailbox."""
        client = self.client()
        try:
            client.append(folder, raw)
        finally:
            client.logout()


@pytest.fixture
def dovecot_server() -> Iterator[Dovecot]:
    """Debian's dovecot on a loopback port, with a throwaway configuration: one user in a
    passwd file, maildir in a temporary folder. Installed by `scripts/system-deps.sh --test`.
    Run by root (CI), dovecot's own unprivileged users run the login and mail processes."""
    import grp
    import pwd
    import tempfile

    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not os.path.exists(binary):
        service_missing("dovecot (apt-get install dovecot-imapd)")
    # Under /tmp, not pytest's private folder: the unprivileged processes must reach it.
    base = Path(tempfile.mkdtemp(prefix="dsar-dovecot-"))
    os.chmod(base, 0o755)
    for sub in ("run", "state", "mail", "home"):
        (base / sub).mkdir()
    if os.getuid() == 0:
        login_user, internal_user = "dovenull", "dovecot"
        mail_user = pwd.getpwnam("dovecot")
        for sub in ("mail", "home"):
            os.chown(base / sub, mail_user.pw_uid, mail_user.pw_gid)
    else:
        login_user = internal_user = pwd.getpwuid(os.getuid()).pw_name
        mail_user = pwd.getpwuid(os.getuid())
    port = free_port()
    (base / "passwd").write_text("dsar:{PLAIN}secret-imap\n")
    conf = Path(base / "dovecot.conf")
    conf.write_text(
        DOVECOT_CONF.format(
            base=base,
            port=port,
            login_user=login_user,
            user=internal_user,
            group=grp.getgrgid(mail_user.pw_gid).gr_name,
            uid=mail_user.pw_uid,
            gid=mail_user.pw_gid,
        )
    )
    subprocess.run(
        [binary, "-c", str(conf)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Dovecot("127.0.0.1", port, "dsar", "secret-imap")
    deadline = time.monotonic() + 15
    while True:
        try:
            server.client().logout()
            break
        except Exception:
            if time.monotonic() > deadline:
                log = (base / "dovecot.log").read_text() if (base / "dovecot.log").exists() else ""
                subprocess.run([binary, "-c", str(conf), "stop"], check=False)
                pytest.fail(f"dovecot did not start:\n{log[-3000:]}")
            time.sleep(0.2)
    try:
        yield server
    finally:
        subprocess.run([binary, "-c", str(conf), "stop"], check=False)
        shutil.rmtree(base, ignore_errors=True)


def vendor_mail(
    *,
    to: str,
    subject: str,
    body: str,
    sender: str = "privacy@vendor.example.com",
    date: str = "Mon, 07 Dec 2026 10:00:00 +0100",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
    html: str | None = None,
) -> bytes:
    """A vendor's message as its mail server would deliver it (RFC 5322 bytes)."""
    message = EmailMessage(policy=default_policy)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = date
    message["Message-ID"] = f"<{abs(hash((to, subject, body)))}@vendor.example.com>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


@dataclass
class HttpCounter:
    url: str
    hits: list[str]


@pytest.fixture
def live_http_counter() -> Iterator[HttpCounter]:
    """An HTTP server on loopback that records every request: remote images in a message must
    never reach it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HttpCounter(f"http://127.0.0.1:{server.server_address[1]}", hits)
    finally:
        server.shutdown()
