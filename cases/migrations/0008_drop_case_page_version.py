"""Case.page_version and the triggers that kept it go with the page cache they served.

Case pages are now rendered from a constant number of queries instead; the triggers turned
every write to an event, deadline, letter or note into an extra update of the case row.
"""

from importlib import import_module

from django.db import migrations

# The triggers were created by migration 0005 (and tightened on SQLite by 0007); going back
# recreates them from there.
page_version_0005 = import_module("cases.migrations.0005_case_page_version")


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_stricter_triggers")]

    operations = [
        migrations.RunPython(
            page_version_0005.drop_triggers, page_version_0005.create_triggers
        ),
        migrations.RemoveField(model_name="case", name="page_version"),
    ]
