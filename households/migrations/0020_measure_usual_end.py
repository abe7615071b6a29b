"""Loans and contracts recorded without an end date get their usual one (start plus the type's
term, households.choices.MEASURE_TERMS as it stood at this migration), as new ones do on save."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import migrations

TERMS = {"microcredit": 36, "welfare_job": 12, "ecology": 12}


def usual_end_dates(apps, schema_editor):
    AssistanceMeasure = apps.get_model("households", "AssistanceMeasure")
    for kind, months in TERMS.items():
        open_ended = AssistanceMeasure.objects.filter(measure_type=kind, end_date__isnull=True)
        for measure in open_ended.only("pk", "start_date").iterator(chunk_size=2000):
            end = measure.start_date + relativedelta(months=months) - datetime.timedelta(days=1)
            AssistanceMeasure.objects.filter(pk=measure.pk).update(end_date=end)


class Migration(migrations.Migration):
    dependencies = [("households", "0019_recount_due")]

    operations = [migrations.RunPython(usual_end_dates, migrations.RunPython.noop)]
