"""Small rules of written text shared by letters, e-mails and pages."""

from __future__ import annotations

import re

# A full stop right after one that ends an abbreviation ("S.à r.l." + "."), where it ends the
# sentence: not an ellipsis, and not inside a file name or a reference ("report..pdf").
_DOUBLE_STOP = re.compile(r"(?<=\w\.)\.(?![.\w])")


def one_full_stop(text: str) -> str:
    """A sentence that ends on a name such as "Amazon Europe Core S.à r.l." or "Digitale Rechte
    e.V." takes no second full stop. Templates and translations cannot know which names end with
    one, so letters, e-mails and pages pass their finished text through here."""
    return _DOUBLE_STOP.sub("", text)
