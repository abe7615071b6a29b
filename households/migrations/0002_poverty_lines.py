"""The national rural poverty line by year (现行农村贫困标准, 2010 constant price 2300 yuan,
at each year's prices, as published by the National Bureau of Statistics). Staff can edit them."""

from decimal import Decimal

from django.db import migrations

LINES = {
    2014: "2800",
    2015: "2855",
    2016: "2952",
    2017: "2952",
    2018: "2995",
    2019: "3218",
    2020: "4000",
}


def seed(apps, schema_editor):
    PovertyLine = apps.get_model("households", "PovertyLine")
    for year, line in LINES.items():
        PovertyLine.objects.get_or_create(
            year=year,
            defaults={"income_line": Decimal(line), "note": "国家现行农村贫困标准（2010年不变价2300元）按当年价格"},
        )


def unseed(apps, schema_editor):
    apps.get_model("households", "PovertyLine").objects.filter(year__in=LINES).delete()


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
