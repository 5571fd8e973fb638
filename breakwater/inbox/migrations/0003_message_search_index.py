"""The full-text index of messages: FTS5 + triggers on SQLite, tsvector + GIN on PostgreSQL.

Neither is a model field (the ORM knows no FTS5 table and no tsvector column on SQLite), so
the SQL lives in ``inbox/search.py`` beside the queries that use it, and runs here on its
own backend only.
"""

from django.db import migrations

from breakwater.inbox import search


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0002_message_search_text"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": search.SQLITE_CREATE, "postgresql": search.POSTGRES_CREATE}),
            _run({"sqlite": search.SQLITE_DROP, "postgresql": search.POSTGRES_DROP}),
        ),
    ]
