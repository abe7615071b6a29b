"""On PostgreSQL, each household keeps the characters and character pairs of its 户编号 and
its members' names (search_grams, a stored generated column) under a GIN index, so that a
search for a rare name or number finds its few households without reading every household's
entry (issue 27). The model does not know the column: PostgreSQL fills it on every write, and
HouseholdSearchFilter reads it through households_grams(). SQLite scans, as before."""

from django.db import migrations

# Every character and every pair of neighbouring characters of the text, upper-cased as
# icontains compares, leaving out those holding a space (member_names joins names with
# spaces). Whatever a household's text contains, the grams of the searched text are among
# the household's: the index can only narrow the search, never miss a match. A loop in
# PL/pgSQL: 14 µs a household, where the same in SQL (generate_series, DISTINCT) took 34.
FUNCTION = r"""
CREATE FUNCTION households_grams(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    u text := upper(t);
    grams text[] := '{}';
    c text;
    previous text := ' ';
    pair text;
BEGIN
    FOR i IN 1..length(u) LOOP
        c := substr(u, i, 1);
        IF c <> ' ' THEN
            IF NOT c = ANY(grams) THEN
                grams := grams || c;
            END IF;
            IF previous <> ' ' THEN
                pair := previous || c;
                IF NOT pair = ANY(grams) THEN
                    grams := grams || pair;
                END IF;
            END IF;
        END IF;
        previous := c;
    END LOOP;
    RETURN grams;
END
$$
"""

FORWARD = [
    FUNCTION,
    """
    ALTER TABLE households_household ADD COLUMN search_grams text[]
        GENERATED ALWAYS AS (households_grams(code || ' ' || member_names)) STORED
    """,
    "CREATE INDEX household_grams_idx ON households_household USING gin (search_grams)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS household_grams_idx",
    "ALTER TABLE households_household DROP COLUMN IF EXISTS search_grams",
    "DROP FUNCTION IF EXISTS households_grams(text)",
]


def install(connection) -> None:
    """Add the function, the column and the index (also called by the test suite, which builds
    its tables from the models)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in FORWARD:
                cursor.execute(statement)


def forward(apps, schema_editor):
    install(schema_editor.connection)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("households", "0024_sensitive_access_cadre")]

    operations = [migrations.RunPython(forward, backward)]
