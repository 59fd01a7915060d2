"""The dashboard's search ("muller" anywhere in a name, an e-mail or the vendor's reference)
through indexes rather than by reading every case of the organisation (issue 14).

Django's `icontains` on PostgreSQL is `UPPER(column::text) LIKE UPPER('%term%')`; a GIN index of
pg_trgm on that same expression answers it for terms of three characters or more. Only cases
that name an organisation are indexed, as the organisation's dashboard is the only search (at
1,000,000 cases, 50,000 of one organisation: 8 ms to count the matches instead of 68 ms).
pg_trgm ships with PostgreSQL and is trusted (PostgreSQL 13+), so the database's owner may
create it. SQLite (`make run` without DATABASE_URL) has neither, and searches without an index.
"""

import importlib

from django.db import migrations

PostgresOnly = importlib.import_module(
    "cases.migrations.0012_statistics_complete_answers"
).PostgresOnly

COLUMNS = ("requester_name", "requester_email", "vendor_reference")

CREATE = "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n" + "\n".join(
    f"CREATE INDEX IF NOT EXISTS case_org_search_{column} ON cases_case "
    f"USING gin (upper({column}::text) gin_trgm_ops) WHERE organisation_id IS NOT NULL;"
    for column in COLUMNS
)
# The extension stays: something else may have come to use it.
DROP = "\n".join(f"DROP INDEX IF EXISTS case_org_search_{column};" for column in COLUMNS)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_statistics_per_kind"),
    ]

    operations = [PostgresOnly(CREATE, DROP)]
