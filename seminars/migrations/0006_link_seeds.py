"""Private links: the stored value becomes the seed of a keyed token (mie_dx.tokens); the
database no longer holds any token. Links sent before this change stop working."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("seminars", "0005_fiscal_year_field")]

    operations = [
        migrations.RenameField("registration", "token", "link_seed"),
        migrations.RenameField("seminarsurvey", "token", "link_seed"),
    ]
