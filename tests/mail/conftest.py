"""Fixtures of the mail tests: real SMTP and IMAP servers on loopback (tests/mail/helpers.py)."""

from tests.mail.helpers import dovecot_server, live_http_counter, smtp_server

__all__ = ["dovecot_server", "live_http_counter", "smtp_server"]
