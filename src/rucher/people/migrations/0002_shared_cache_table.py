"""The table of the "shared" cache (sign-in failure counts), made by ``migrate`` like every
other table, so no deployment step can forget it. Without Redis the cache lives there."""

from django.core.management import call_command
from django.db import migrations


def create_shared_cache_table(apps, schema_editor):
    # No argument: every database-backed cache of the settings (an argument would be a table).
    call_command("createcachetable", database=schema_editor.connection.alias)


def drop_shared_cache_table(apps, schema_editor):
    from django.conf import settings

    table = schema_editor.quote_name(settings.SHARED_CACHE_TABLE)
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(create_shared_cache_table, drop_shared_cache_table)]
