"""The 72 hours of GDPR Art. 33(1) are no longer a clock of a case: the duty is the vendor's, owed
to its authority (which may accept late notice with reasons, or notice in phases, Art. 33(1) and
33(4)), so it is never "missed" towards the data subject. The case page shows the date as
information (`facts.breach_notice_due`). Existing rows and their reminders go; the kind stays in
`DeadlineKind` so that old timeline entries still read."""

from django.db import migrations


def delete_breach_clocks(apps, schema_editor):
    Deadline = apps.get_model("cases", "Deadline")
    Reminder = apps.get_model("cases", "Reminder")
    Reminder.objects.filter(deadline__kind="breach_notification").delete()
    Deadline.objects.filter(kind="breach_notification").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_wave2_letters_and_clocks"),
    ]

    operations = [
        migrations.RunPython(delete_breach_clocks, migrations.RunPython.noop),
    ]
