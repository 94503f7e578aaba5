"""行政運営6 b and 県政レポート 主指標 come from the staff survey (training: 職員アンケート) from
令和3年度 on: a year with a survey round in the portal is computed from its answers; a year
without one keeps the value entered (kpi.selectors). A database without the KPIs is
untouched."""

from django.db import migrations

CODES = ("行政運営6 b", "県政レポート 主指標")
R3 = 2021


def computed(apps, schema_editor):
    Kpi = apps.get_model("kpi", "Kpi")
    Kpi.objects.filter(code__in=CODES).update(source="computed", first_computed_fiscal_year=R3)


def entered(apps, schema_editor):
    Kpi = apps.get_model("kpi", "Kpi")
    Kpi.objects.filter(code__in=CODES).update(source="entered", first_computed_fiscal_year=None)


class Migration(migrations.Migration):
    dependencies = [("kpi", "0005_gyosei_6a_per_year")]

    operations = [migrations.RunPython(computed, entered)]
