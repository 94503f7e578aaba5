"""Every outbox row gets its Message-ID: the rows queued before Message-IDs were stored (0004)
get one now, so the sending code needs no fallback (and mie_dx.delivery no import of the
queueing module). The ID is made as mie_dx.notifications.new_message_id makes it."""

from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.db import migrations


def backfill(apps, schema_editor):
    Notification = apps.get_model("mie_dx", "Notification")
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or None
    for pk in Notification.objects.filter(message_id="").values_list("pk", flat=True).iterator():
        Notification.objects.filter(pk=pk).update(message_id=make_msgid(domain=domain))


class Migration(migrations.Migration):
    dependencies = [("mie_dx", "0005_faults_ambiguous_state")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
