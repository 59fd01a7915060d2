"""Why an export could not be read: one error per bad input, each with a stable code (for the API)
and a message a person can act on (for the page)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ExportError(Exception):
    """The export cannot be analysed; `code` is stable, `message` is for the person."""

    code = "unreadable"
    message: str | Promise = _("This export could not be read.")

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or str(self.message))
        self.detail = detail


class NotAnExport(ExportError):
    code = "not_an_export"
    message = _(
        "This file is not an export we can read: upload the ZIP file the company sent "
        "(or the JSON, CSV or Excel file inside it)."
    )


class EncryptedArchive(ExportError):
    code = "encrypted"
    message = _(
        "This ZIP file is protected by a password. Open it with the password the company gave "
        "you, then upload it again without one."
    )


class DamagedArchive(ExportError):
    code = "damaged"
    message = _(
        "This ZIP file is damaged or incomplete (perhaps the download stopped early). Download "
        "it again from the company's link and upload the new copy."
    )


class ArchiveTooLarge(ExportError):
    code = "too_large"
    message = _(
        "This ZIP file unpacks to far more than it weighs, or holds too many files: it was not "
        "unpacked, to protect the service. If it really is the company's export, write to us."
    )


class HtmlOnly(ExportError):
    code = "html_only"
    message = _(
        "This export holds web pages (HTML) but no data file: the times and devices cannot be "
        "read reliably from it. Ask the company again and choose the JSON format (in Google "
        'Takeout: "Multiple formats", then JSON for My Activity).'
    )
