"""A complaint with its enclosures in one ZIP file, for the authority's upload form or an e-mail:
the complaint's PDF (with the Art. 80(1) mandate annexed), every letter it encloses
(`complaint.enclosed_letters`), the company's answer and the other evidence, each under a
numbered name in the order the complaint lists them. Nothing the app holds is left for the
person to attach by hand."""

from __future__ import annotations

import re
import zipfile
from typing import IO

from cases.letters.complaint import enclosed_letters
from cases.letters.parts import letter_date
from cases.models import Letter

_UNSAFE = re.compile(r"[^\w.-]+")


def _safe(name: str) -> str:
    """A file name without paths or characters an unzip tool may trip over."""
    return _UNSAFE.sub("_", name.rsplit("/", 1)[-1]).strip("._") or "file"


def complaint_bundle(complaint: Letter, out: IO[bytes]) -> list[str]:
    """Write the ZIP of `complaint` (ready, with its PDF) and its enclosures to `out`; return
    the names written. Letters not rendered to PDF are left out (they have no file)."""
    case = complaint.case
    files: list[tuple[str, object]] = [(f"complaint-{complaint.language}.pdf", complaint.pdf)]
    for letter in enclosed_letters(complaint, letter_date(complaint)):
        if letter.pdf:
            files.append((f"{letter.kind}-v{letter.version}-{letter.language}.pdf", letter.pdf))
    evidence = list(case.evidence.order_by("-is_vendor_answer", "uploaded_at", "pk"))
    for item in evidence:
        prefix = "answer" if item.is_vendor_answer else "evidence"
        files.append((f"{prefix}-{_safe(item.original_name)}", item.file))
    names = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, (name, field) in enumerate(files, start=1):
            numbered = f"{number:02d}-{name}"
            with field.open("rb") as source, archive.open(numbered, "w") as target:  # type: ignore[attr-defined]
                while chunk := source.read(1 << 20):
                    target.write(chunk)
            names.append(numbered)
    return names
