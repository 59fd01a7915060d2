"""The curated directory shipped with the project: `cases/reference/*.json`.

`authorities.json` holds the 57 European supervisory authorities of the datenanfragen.de data set
(CC0) with the corrections of `reference/LEGAL.md` section 4; `vendors.json` the voice-assistant
controllers of section 3, with `lead_authority` given as an authority's slug. Both use the models'
field names. Loading is idempotent: rows are matched by slug, saved only when a value differs,
and never deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

from cases.models import Authority, Vendor

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


@dataclass
class ReferenceReport:
    """What `load_reference` did, counted over authorities and vendors."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def _read(path: Path) -> list[dict[str, Any]]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ImproperlyConfigured(f"{path} must hold a list of objects")
    return rows


def _values(model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
    """The row's values as the model holds them (dates parsed, ...), without the slug."""
    return {
        name: model._meta.get_field(name).to_python(value)
        for name, value in row.items()
        if name != "slug"
    }


def _load(model: type[models.Model], rows: list[dict[str, Any]], report: ReferenceReport) -> None:
    existing = {obj.slug: obj for obj in model.objects.all()}
    for row in rows:
        values = _values(model, row)
        obj = existing.get(row["slug"])
        if obj is None:
            obj = model(slug=row["slug"], **values)
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save(force_insert=True)
            existing[obj.slug] = obj
            report.created += 1
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if not changed:
            report.unchanged += 1
            continue
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save(update_fields=changed)
        report.updated += 1


def load_reference(directory: Path = REFERENCE_DIR) -> ReferenceReport:
    """Create or update the shipped authorities and vendors; a second run writes nothing."""
    authorities = _read(directory / "authorities.json")
    vendors = _read(directory / "vendors.json")
    report = ReferenceReport()
    with transaction.atomic():
        _load(Authority, authorities, report)
        ids = dict(Authority.objects.values_list("slug", "id"))
        vendor_rows = []
        for row in vendors:
            row = dict(row)
            slug = row.pop("lead_authority", None)
            if slug is not None and slug not in ids:
                raise ImproperlyConfigured(f"vendor {row['slug']}: no authority {slug!r}")
            row["lead_authority_id"] = ids[slug] if slug is not None else None
            vendor_rows.append(row)
        _load(Vendor, vendor_rows, report)
    return report
