"""The stored statistics: two PostgreSQL materialized views (migrations 0011, 0012), read-only
here.

`statistics_refresh` (cases/services/statistics.py) refreshes them; the selectors in
cases/selectors/statistics.py read them. The figures are those `vendor_statistics` computes from
scratch, per vendor and per vendor's month, over every case (`organisation_id` 0) and over each
organisation's mandated cases; tests/test_statistics_stored.py checks that both agree.
"""

from __future__ import annotations

from django.db import models

from cases.models.directory import Vendor

# What stands for "none" in a key column: the views keep their keys NOT NULL so that a plain
# UNIQUE index covers every row (REFRESH ... CONCURRENTLY needs one).
NO_ORGANISATION = 0
NO_MONTH = "0001-01-01"


class StatisticsLevel(models.TextChoices):
    ALL = "all"  # one row, whatever the data: when the figures were computed
    VENDOR = "vendor"
    VENDOR_MONTH = "vendor_month"
    ORGANISATION = "organisation"
    ORGANISATION_MONTH = "organisation_month"


class VendorFigures(models.Model):
    """One group's figures (a kind of request at a vendor, or in one month; over every case or
    an organisation's)."""

    id = models.TextField(primary_key=True)
    level = models.TextField(choices=StatisticsLevel.choices)
    organisation_id = models.IntegerField()
    # 0 on the `all` row: no vendor (null=True, so that reading the name is a LEFT JOIN).
    vendor = models.ForeignKey(
        Vendor, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    month = models.DateField()
    # The request's kind (RequestKind); '' on the `all` row.
    kind = models.TextField()
    cases = models.IntegerField()
    sent = models.IntegerField()
    acknowledged = models.IntegerField()
    answered = models.IntegerField()
    on_time = models.IntegerField()
    complete = models.IntegerField()
    complete_on_time = models.IntegerField()
    due = models.IntegerField()
    extended = models.IntegerField()
    # How many answers left each item of the kind's checklist out: {item code: count}.
    missing = models.JSONField()
    median_days = models.FloatField(null=True)
    median_days_to_acknowledgement = models.FloatField(null=True)
    median_days_to_complete = models.FloatField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "cases_statistics"

    def __str__(self) -> str:
        return self.id


class IncidentFigures(models.Model):
    """Incidents of one kind at one vendor, over every case or an organisation's."""

    id = models.TextField(primary_key=True)
    organisation_id = models.IntegerField()
    vendor = models.ForeignKey(
        Vendor, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.TextField()
    count = models.IntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "cases_statistics_incidents"

    def __str__(self) -> str:
        return self.id
