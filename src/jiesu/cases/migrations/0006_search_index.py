from django.db import migrations

# SQLite: an FTS5 index over cases_casesearch, kept in step by triggers.
SQLITE = [
    "CREATE VIRTUAL TABLE cases_search_fts USING fts5("
    "tokens, content='cases_casesearch', content_rowid='case_id', tokenize='unicode61')",
    "CREATE TRIGGER cases_search_ai AFTER INSERT ON cases_casesearch BEGIN "
    "INSERT INTO cases_search_fts(rowid, tokens) VALUES (new.case_id, new.tokens); END",
    "CREATE TRIGGER cases_search_ad AFTER DELETE ON cases_casesearch BEGIN "
    "INSERT INTO cases_search_fts(cases_search_fts, rowid, tokens) "
    "VALUES ('delete', old.case_id, old.tokens); END",
    "CREATE TRIGGER cases_search_au AFTER UPDATE ON cases_casesearch BEGIN "
    "INSERT INTO cases_search_fts(cases_search_fts, rowid, tokens) "
    "VALUES ('delete', old.case_id, old.tokens); "
    "INSERT INTO cases_search_fts(rowid, tokens) VALUES (new.case_id, new.tokens); END",
]
# PostgreSQL: a GIN index on the words.
POSTGRES = [
    "CREATE INDEX cases_casesearch_tsv ON cases_casesearch "
    "USING gin (to_tsvector('simple', tokens))",
]


def create(apps, schema_editor):
    for statement in POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_casesearch_tsv")
    else:
        for name in ("cases_search_ai", "cases_search_ad", "cases_search_au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute("DROP TABLE IF EXISTS cases_search_fts")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_case_search")]
    operations = [migrations.RunPython(create, drop)]
