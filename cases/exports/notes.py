"""What the page and the API say about an export's failure or warnings, by code (one place)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.exports import errors

ERRORS: dict[str, str | Promise] = {
    cls.code: cls.message
    for cls in (
        errors.ExportError,
        errors.NotAnExport,
        errors.EncryptedArchive,
        errors.DamagedArchive,
        errors.ArchiveTooLarge,
    )
}
ERRORS["missing_file"] = _("The uploaded file is no longer in storage.")
ERRORS["internal"] = _(
    "The analysis stopped on an unexpected problem. The file is kept with the case; we have "
    "been told."
)

WARNINGS: dict[str, str | Promise] = {
    errors.HtmlOnly.code: errors.HtmlOnly.message,
    "apple_no_audio": _(
        "Apple sent no recordings. Apple ties Siri recordings to a random device identifier, "
        'not to your Apple ID, and since 2019 keeps them only if you chose "Improve Siri & '
        'Dictation". Ask Apple whether it holds recordings or transcripts linked to your '
        "devices, for how long, and whether people listened to them (Art. 15(1))."
    ),
    "no_audio": _(
        "The export holds no audio recordings. If the company keeps your recordings, ask for "
        "a copy of them (Art. 15(3))."
    ),
    "no_index": _(
        "No list of your interactions (times, devices, transcripts) was found in the export."
    ),
    "not_audio": _("Some files named as audio hold no sound."),
}


def error_message(code: str) -> str:
    return str(ERRORS.get(code, errors.ExportError.message)) if code else ""


def warning_messages(codes: list[str]) -> list[dict[str, str]]:
    return [{"code": c, "message": str(WARNINGS[c])} for c in codes if c in WARNINGS]
