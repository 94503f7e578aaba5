"""行政運営6 a is a yearly count (the plan: about 100 specialists in R8, each taking part in at
least one initiative *that year*), not a running total over the baseline. A database loaded
before this correction gets the plan's definition; a database without the KPI is untouched."""

from django.db import migrations

OLD_NAME = "DX推進スペシャリストが参画した業務改善等の取組件数（累計）"
NAME = "DX推進スペシャリストが参画した業務改善等の取組件数"


def per_year(apps, schema_editor):
    Kpi = apps.get_model("kpi", "Kpi")
    for kpi in Kpi.objects.filter(code="行政運営6 a"):
        kpi.cumulative = False
        if kpi.name == OLD_NAME:
            kpi.name = NAME
        kpi.save(update_fields=["cumulative", "name"])


class Migration(migrations.Migration):
    dependencies = [("kpi", "0004_english_texts_and_annual_report")]

    operations = [migrations.RunPython(per_year, migrations.RunPython.noop)]
