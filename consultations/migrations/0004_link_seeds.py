"""Private links: the stored value becomes the seed of a keyed token (mie_dx.tokens); the
database no longer holds any token. Links sent before this change stop working."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("consultations", "0003_assignment_cancelled")]

    operations = [
        migrations.RenameField("consultation", "access_token", "link_seed"),
        migrations.RenameField("assignment", "token", "link_seed"),
        migrations.RenameField("survey", "token", "link_seed"),
    ]
