"""Seed the required study hours (党员教育管理工作条例 2019: 32 for members, 56 for
secretaries and committee members). Rerunnable: rows already there are left alone."""

from django.db import migrations


def seed(apps, schema_editor):
    from fengling.training.rules import DEFAULT_REQUIREMENTS

    StudyRequirement = apps.get_model("training", "StudyRequirement")
    for year, group, hours in DEFAULT_REQUIREMENTS:
        StudyRequirement.objects.get_or_create(
            effective_year=year, group=group, defaults={"hours": hours}
        )


class Migration(migrations.Migration):
    dependencies = [("training", "0001_training_courses_hours_exams_certificates_reports")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
