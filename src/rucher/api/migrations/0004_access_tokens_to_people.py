# AccessToken now belongs to people (people/migrations/0003): the table stays, only Django's
# state forgets it here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0003_token_expiry"),
        ("people", "0003_access_tokens_from_api"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AccessToken")],
            database_operations=[],
        ),
    ]
