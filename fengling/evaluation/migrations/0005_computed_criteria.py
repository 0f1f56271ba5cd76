# Issue 6: parameters of computed criteria, records behind computed points. Numbered 0005
# (h13 adds 0004_weak_designation_flow); the lead renumbers at merge.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0004_weak_designation_flow'),
    ]

    operations = [
        migrations.AddField(
            model_name='criterion',
            name='params',
            field=models.JSONField(blank=True, default=dict, verbose_name='parameters'),
        ),
        migrations.AddField(
            model_name='criterionscore',
            name='records',
            field=models.JSONField(blank=True, default=list, verbose_name='records'),
        ),
        migrations.AlterField(
            model_name='criterion',
            name='source',
            field=models.CharField(choices=[('manual', 'Entered by the level above with evidence'), ('meetings_compliance', 'Organizational life compliance (computed)'), ('member_index', "Members' average index (computed)"), ('warnings', "Deductions from the year's warnings (computed)")], default='manual', max_length=24, verbose_name='source'),
        ),
    ]
