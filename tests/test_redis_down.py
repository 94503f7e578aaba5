"""With Redis unreachable (the cache that holds the rate limits, and the broker), the public
forms still take the submission: the limit fails open, the rows are saved, and the e-mails wait
in the outbox for the sweep once the broker is back. Redis is made unreachable for real: a
closed port."""

import pytest

from consultations.models import Consultation
from mie_dx.models import Notification
from seminars.models import Registration
from tests.consultations.factories import valid_form_data as consultation_form
from tests.seminars.factories import SeminarFactory
from tests.seminars.factories import valid_form_data as registration_form

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED}
    }
    from mie_dx.celery import app

    # The app reads Django settings under the CELERY namespace: overrides use those names.
    changed = {
        "CELERY_BROKER_URL": CLOSED,
        "CELERY_TASK_ALWAYS_EAGER": False,  # publish for real, to the closed port
        "CELERY_TASK_PUBLISH_RETRY": False,
    }
    saved = {name: app.conf[name.removeprefix("CELERY_").lower()] for name in changed}
    _forget_connections(app)  # publish through a new connection: to the closed port
    app.conf.update(changed)
    assert (app.conf.broker_url, app.conf.task_always_eager) == (CLOSED, False)
    yield
    app.conf.update(saved)
    _forget_connections(app)  # the next test publishes to the real broker again


def _forget_connections(app) -> None:
    """Close the app's broker connections; the producer pool is cached per connection URL."""
    app.close()
    app.amqp._producer_pool = None


def test_the_consultation_form_is_saved_while_redis_is_down(
    client, redis_down, private_media, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/consultations/new/", consultation_form(title="障害中の相談"))

    assert response.status_code == 302
    consultation = Consultation.objects.get(title="障害中の相談")
    # The acknowledgement and the center's alert wait in the outbox for the broker.
    assert set(
        Notification.objects.filter(object_id=consultation.pk).values_list("status", flat=True)
    ) == {Notification.Status.PENDING}
    assert "cache is unreachable" in caplog.text
    # One publish was tried and refused; then the process left the broker alone (the breaker),
    # so the request did not wait for Redis once per e-mail.
    assert caplog.text.count("could not publish (broker unreachable?)") == 1
    assert caplog.text.count("broker unreachable lately, left to the sweep") == 1


def test_the_breaker_lets_publishing_resume_once_its_pause_is_over(
    client, redis_down, private_media, django_capture_on_commit_callbacks, caplog, settings
):
    settings.NOTIFICATION_BROKER_PAUSE_SECONDS = 0  # the pause is over at once
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consultations/new/", consultation_form(title="障害中の相談"))

    # Both e-mails tried the broker: nothing is skipped for longer than the pause.
    assert caplog.text.count("could not publish (broker unreachable?)") == 2


def test_the_seminar_registration_is_saved_while_redis_is_down(
    client, redis_down, django_capture_on_commit_callbacks
):
    seminar = SeminarFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/seminars/{seminar.slug}/register/", registration_form(email="down@example.jp")
        )

    assert response.status_code == 302
    registration = Registration.objects.get(email="down@example.jp")
    assert Notification.objects.filter(object_id=registration.pk, status="pending").exists()
