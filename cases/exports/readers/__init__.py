"""One reader per vendor's export, behind one interface (`base.Reader`); `choose` picks the one
that fits best."""

from __future__ import annotations

from cases.exports.archive import Source
from cases.exports.readers.amazon import AmazonReader
from cases.exports.readers.apple import AppleReader
from cases.exports.readers.base import Findings, Interaction, Reader
from cases.exports.readers.generic import GenericReader
from cases.exports.readers.google import GoogleReader
from cases.exports.readers.microsoft import MicrosoftReader

READERS: tuple[Reader, ...] = (
    GoogleReader(),
    AmazonReader(),
    MicrosoftReader(),
    AppleReader(),
    GenericReader(),
)
BY_VENDOR = {reader.vendor: reader for reader in READERS}


def choose(source: Source) -> Reader:
    """The reader with the highest score (the generic reader always scores 1)."""
    return max(READERS, key=lambda reader: reader.score(source))


__all__ = ["BY_VENDOR", "READERS", "Findings", "Interaction", "Reader", "choose"]
