import logging

import redis
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connections
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View, i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from mie_dx.forms import SurveyForm
from mie_dx.ratelimits import PublicPostLimitMixin
from mie_dx.surveys import SatisfactionSurvey, SurveyError, answer_survey

logger = logging.getLogger(__name__)


class HomeView(TemplateView):
    template_name = "home.html"


# The language switcher is on every page, including the pages served from the cache to every
# visitor (mie_dx.pagecache), which carry no per-visitor CSRF token. Choosing a language reads
# and changes nothing but the visitor's own language cookie (and `next` is checked to be a
# local URL), so a forged request could do no more than switch someone's language.
set_language = csrf_exempt(i18n.set_language)


def _database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            row: tuple[object, ...] | None = cursor.fetchone()
            return row == (1,)
    except DatabaseError:
        logger.exception("healthz: database check failed")
        return False


def _broker_ok(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        logger.exception("healthz: broker check failed")
        return False


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness, and with `?ready=1` readiness, for the load balancer and the containers.

    Liveness (`/healthz`): 200 while the process and the database answer, 503 when the database
    does not. Redis is reported (`"redis": "down"`) but does not fail it: the public forms keep
    saving without Redis (the outbox publishes the e-mails when it is back), so taking the site
    out of service during a Redis outage would only turn people away.
    Readiness (`/healthz?ready=1`): 503 unless the database and Redis both answer — for a
    deployment that must not go live with the mail and the cache unreachable.
    """
    checks = {"database": "ok" if _database_ok() else "down"}
    broker_url = settings.CELERY_BROKER_URL
    if broker_url.startswith(("redis://", "rediss://")):
        checks["redis"] = "ok" if _broker_ok(broker_url) else "down"
    else:
        checks["redis"] = "not configured"
    down = [name for name, state in checks.items() if state == "down"]
    readiness = request.GET.get("ready") == "1"
    failing = down if readiness else [name for name in down if name == "database"]
    body: dict[str, object] = {
        "status": "error" if failing else ("degraded" if down else "ok"),
        "check": "readiness" if readiness else "liveness",
        **checks,
    }
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)


def ratelimited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """django-ratelimit's view: a friendly page instead of a bare 403."""
    return render(request, "429.html", status=429)


@method_decorator(never_cache, name="dispatch")
class SurveyView(PublicPostLimitMixin, View):
    """Answer a satisfaction survey (mie_dx.surveys) through its private link.

    Subclasses set `template_name`, `url_name` (where to go after answering, with the token)
    and `get_survey(token)` (the app's selector, 404 for an unknown token), and may set a
    `form_class` asking the question in their own words.
    """

    template_name: str
    url_name: str
    form_class: type[SurveyForm] = SurveyForm
    ratelimit_group = "private-link"

    def get_survey(self, token: str) -> SatisfactionSurvey:
        raise NotImplementedError

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        survey = self.get_survey(token)
        return render(request, self.template_name, {"survey": survey, "form": self.form_class()})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        survey = self.get_survey(token)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                answer_survey(
                    survey=survey,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except SurveyError as error:
                form.add_error(None, str(error))
            else:
                return redirect(self.url_name, token=token)
        return render(request, self.template_name, {"survey": survey, "form": form}, status=400)


@staff_member_required
def view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The admin's "view on site" redirect (admin/r/…), refused — as if the object did not
    exist — to staff who may not view that kind of object: the address of a draft seminar
    is not for everyone with a staff account."""
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    if content_type is None or not request.user.has_perm(
        f"{content_type.app_label}.view_{content_type.model}"
    ):
        raise Http404
    return contenttype_views.shortcut(request, content_type_id, object_id)
