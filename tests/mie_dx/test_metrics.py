"""/metrics: Prometheus scrapes it with a token; nobody else reads it."""

import pytest
from celery import shared_task

from mie_dx.models import Notification

TOKEN = "scrape-token-for-tests-0123456789"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


@shared_task(name="tests.metrics.always_fails")
def always_fails():
    raise RuntimeError("boom")


@pytest.mark.django_db
def test_an_anonymous_request_is_refused(client, metrics_token):
    response = client.get("/metrics")

    assert response.status_code == 401
    assert "mie_dx_outbox" not in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_token_is_refused(client, metrics_token):
    response = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})

    assert response.status_code == 401


@pytest.mark.django_db
def test_without_a_configured_token_there_is_no_endpoint(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.django_db
def test_the_authorised_scrape_has_requests_outbox_and_task_failures(
    client, metrics_token, queue_alert, django_capture_on_commit_callbacks
):
    client.get("/healthz")
    with django_capture_on_commit_callbacks(execute=False):
        failed = queue_alert()
    Notification.objects.filter(pk=failed.pk).update(status=Notification.Status.FAILED)
    always_fails.apply()

    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    # Requests by view (django-prometheus).
    assert (
        'django_http_responses_total_by_status_view_method_total{method="GET",status="200",view="healthz"}'
        in text
    )
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
    # The outbox, read from the database.
    assert 'mie_dx_outbox_notifications{state="failed"} 1.0' in text
    assert "mie_dx_outbox_oldest_pending_age_seconds 0.0" in text
    # Task failures counted by the worker (here in process) in the shared cache.
    assert 'mie_dx_celery_task_failures_total{task="tests.metrics.always_fails"} 1.0' in text
    assert 'mie_dx_celery_task_failures_total{task="mie_dx.tasks.send_notification"} 0.0' in text
