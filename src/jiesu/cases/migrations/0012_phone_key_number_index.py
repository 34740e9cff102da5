"""The phone search key and the case-number index (see cases.search)."""

from django.db import migrations, models

# The key: drawn by the database, so it is in no SQL text (as cases.search.new_key_sql).
NEW_KEY = {
    "sqlite": "INSERT OR IGNORE INTO cases_phonesearchkey (id, key) "
    "VALUES (1, lower(hex(randomblob(32))))",
    "postgresql": "INSERT INTO cases_phonesearchkey (id, key) VALUES "
    "(1, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')) "
    "ON CONFLICT (id) DO NOTHING",
}

# SQLite: the case number's trigrams in an FTS5 table (SQLite 3.34 or later), a row per case
# the text index holds, kept in step by triggers on that index; the search scans the cases
# not indexed yet anyway.
SQLITE = [
    "CREATE VIRTUAL TABLE cases_number_fts USING fts5(number, tokenize='trigram')",
    "CREATE TRIGGER cases_number_ai AFTER INSERT ON cases_casesearch BEGIN "
    "INSERT INTO cases_number_fts(rowid, number) "
    "SELECT id, platform_no FROM cases_case WHERE id = new.case_id; END",
    "CREATE TRIGGER cases_number_ad AFTER DELETE ON cases_casesearch BEGIN "
    "DELETE FROM cases_number_fts WHERE rowid = old.case_id; END",
    "INSERT INTO cases_number_fts(rowid, number) SELECT c.id, c.platform_no "
    "FROM cases_casesearch s JOIN cases_case c ON c.id = s.case_id",
]
# PostgreSQL: a GIN index over the array of the number's trigrams, always current.
POSTGRES = [
    "CREATE FUNCTION cases_number_grams(number text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    "SELECT coalesce(array_agg(DISTINCT substr(lower(number), i, 3)), '{}'::text[]) "
    "FROM generate_series(1, length(number) - 2) AS i $$",
    "CREATE INDEX case_number_grams ON cases_case USING gin (cases_number_grams(platform_no))",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(NEW_KEY[vendor])
    for statement in POSTGRES if vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_number_grams")
        schema_editor.execute("DROP FUNCTION IF EXISTS cases_number_grams(text)")
    else:
        for name in ("cases_number_ai", "cases_number_ad"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute("DROP TABLE IF EXISTS cases_number_fts")


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_phone_search_source_labels")]

    operations = [
        migrations.CreateModel(
            name="PhoneSearchKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(editable=False, max_length=64)),
            ],
            options={"verbose_name": "电话检索密钥", "verbose_name_plural": "电话检索密钥"},
        ),
        migrations.RunPython(create, drop),
    ]
