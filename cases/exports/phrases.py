"""What vendors write in place of a transcript when the audio was not meant for the assistant, per
vendor and language, in one table. Matched case-insensitively as substrings of the transcript; an
empty transcript is counted on its own. Extend the table as exports show new wordings.
"""

from __future__ import annotations

NOT_MEANT: dict[str, dict[str, tuple[str, ...]]] = {
    "amazon": {
        "en": (
            "audio was not intended for alexa",
            "audio could not be understood",
            "text not available",
        ),
        "de": ("audio war nicht für alexa bestimmt", "audio konnte nicht verstanden werden"),
        "fr": ("l'audio n'était pas destiné à alexa", "l'audio n'a pas pu être compris"),
    },
    "google": {
        "en": ("not meant for google assistant", "unknown voice command", "audio not meant for"),
        "de": ("nicht für google assistant bestimmt", "unbekannter sprachbefehl"),
        "fr": ("non destiné à l'assistant google", "commande vocale inconnue"),
    },
    "microsoft": {
        "en": ("not intended for cortana", "speech not recognized"),
        "de": ("nicht für cortana bestimmt", "sprache nicht erkannt"),
        "fr": ("non destiné à cortana", "parole non reconnue"),
    },
    "apple": {
        "en": ("not intended for siri",),
        "de": ("nicht für siri bestimmt",),
        "fr": ("non destiné à siri",),
    },
}


def phrases_for(vendor: str) -> tuple[str, ...]:
    """Every language's phrases for `vendor`, and every vendor's for an export of unknown origin
    (a generic export may still be one of theirs)."""
    tables = [NOT_MEANT[vendor]] if vendor in NOT_MEANT else list(NOT_MEANT.values())
    return tuple(p for table in tables for phrases in table.values() for p in phrases)
