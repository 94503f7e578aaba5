"""/healthz: what the load balancer and the container HEALTHCHECK ask.

Each failure is produced for real — a closed port for the broker, a closed port for
PostgreSQL — never by mocking the check.
"""

import pytest
from django.db import connection
from django.test import override_settings

CLOSED_PORT = 1  # nothing listens on tcpmux; connecting is refused at once


def assert_not_cached(response):
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "no-cache" in cache_control
    assert "max-age=0" in cache_control


@pytest.mark.django_db
def test_ok_when_database_and_redis_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body == {"status": "ok", "check": "liveness", "database": "ok", "redis": "ok"}
    assert_not_cached(response)


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{CLOSED_PORT}/0")
def test_redis_down_keeps_the_site_in_service_and_says_so(client):
    # The public forms keep saving while Redis is down: a load balancer must not take the
    # site out of service for it.
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["redis"] == "down"
    assert body["database"] == "ok"
    assert "failing" not in body
    assert_not_cached(response)


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{CLOSED_PORT}/0")
def test_readiness_is_503_naming_redis_when_it_does_not_answer(client):
    response = client.get("/healthz", {"ready": "1"})

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["check"] == "readiness"
    assert body["failing"] == ["redis"]
    assert body["database"] == "ok"
    assert_not_cached(response)


@pytest.mark.django_db
def test_readiness_is_200_when_everything_answers(client):
    response = client.get("/healthz", {"ready": "1"})

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("query", [{}, {"ready": "1"}])
def test_503_naming_the_database_when_it_does_not_answer(client, query):
    original_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = CLOSED_PORT
    try:
        response = client.get("/healthz", query)
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original_port

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failing"] == ["database"]
    assert body["redis"] == "ok"
    assert_not_cached(response)
    # The connection really works again for the rest of the suite.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="memory://")
def test_without_a_redis_broker_only_the_database_is_checked(client):
    # `make run` with no REDIS_URL runs tasks in process: nothing to check, still healthy.
    response = client.get("/healthz", {"ready": "1"})

    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"] == "not configured"
