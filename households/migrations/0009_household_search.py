import django.db.models.deletion
from django.db import migrations, models

# Fill the names of the households already registered, as recount_members() keeps them.
FILL = {
    "postgresql": """
        UPDATE households_household h SET member_names = m.names
        FROM (SELECT household_id, string_agg(name, ' ') AS names
              FROM households_member GROUP BY household_id) m
        WHERE h.id = m.household_id
    """,
    "sqlite": """
        UPDATE households_household SET member_names = coalesce(
            (SELECT group_concat(name, ' ') FROM households_member
             WHERE household_id = households_household.id), '')
    """,
}


def fill_member_names(apps, schema_editor):
    schema_editor.execute(FILL[schema_editor.connection.vendor])


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0008_roster_import_rows_marked"),
        ("villages", "0002_cadre_id_number"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="member_names",
            field=models.TextField(
                blank=True, db_default="", default="", editable=False, verbose_name="成员姓名"
            ),
        ),
        migrations.RunPython(fill_member_names, migrations.RunPython.noop, elidable=True),
        # The search index replaces the village foreign key's own (it leads with village_id).
        migrations.AlterField(
            model_name="household",
            name="village",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="households",
                to="villages.area",
                verbose_name="行政村",
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                fields=["village"],
                include=("id", "code", "member_names"),
                name="household_search_idx",
            ),
        ),
    ]
