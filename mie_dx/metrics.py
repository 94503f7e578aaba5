"""`/metrics`: what a monitoring system scrapes (Prometheus text format), behind a token.

- Requests by view, method and status, and their latency: django-prometheus's middleware
  (`django_http_requests_latency_seconds_by_view_method`, `django_http_responses_total_by_status_view_method`, …).
  Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR (the image does) so that
  every worker's counts are added up.
- The e-mail outbox, read from PostgreSQL at each scrape (mie_dx.notifications.outbox_status):
  `mie_dx_outbox_notifications{state=…}` and `mie_dx_outbox_oldest_pending_age_seconds`.
- Celery task failures by task, counted by the workers in the cache (Redis), which web and
  workers share: `mie_dx_celery_task_failures_total{task=…}`.

The endpoint answers only `Authorization: Bearer <METRICS_TOKEN>`; with no METRICS_TOKEN set
it does not exist (404).
"""

import hmac
import os
from collections.abc import Iterator

from celery import current_app
from celery.signals import task_failure
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from mie_dx.notifications import outbox_status

FAILURE_KEY = "metrics:celery-task-failures:{}"


@task_failure.connect
def count_task_failure(sender: object = None, **kwargs: object) -> None:
    name = getattr(sender, "name", "unknown")
    key = FAILURE_KEY.format(name)
    try:
        cache.incr(key)
    except ValueError:  # the first failure of this task
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)


class PortalCollector:
    """Figures read at scrape time: the outbox backlog and the workers' task failures."""

    def collect(self) -> Iterator[Metric]:
        status = outbox_status()
        states = GaugeMetricFamily(
            "mie_dx_outbox_notifications",
            "E-mails in the outbox by state (pending = due now; late = due > 5 minutes).",
            labels=["state"],
        )
        for state in ("pending", "late", "sending", "failed", "ambiguous"):
            states.add_metric([state], getattr(status, state))
        yield states
        yield GaugeMetricFamily(
            "mie_dx_outbox_oldest_pending_age_seconds",
            "How long the oldest due e-mail has waited.",
            value=status.oldest_pending_age_s,
        )
        failures = CounterMetricFamily(
            "mie_dx_celery_task_failures",
            "Celery tasks that ended in an exception, by task.",
            labels=["task"],
        )
        names = sorted(name for name in current_app.tasks if not name.startswith("celery."))
        counted = cache.get_many([FAILURE_KEY.format(name) for name in names])
        for name in names:
            failures.add_metric([name], counted.get(FAILURE_KEY.format(name), 0))
        yield failures


def _authorised(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_TOKEN:
        raise Http404
    if not _authorised(request):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    portal = CollectorRegistry()
    portal.register(PortalCollector())
    return HttpResponse(
        generate_latest(requests) + generate_latest(portal), content_type=CONTENT_TYPE_LATEST
    )
