"""Public seminar pages: the list, a seminar, its .ics, registration, the private management
page and the survey.

Views are thin: a form validates, one service writes, a domain error becomes a form error.
"""

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, TemplateView

from mie_dx.confirmation import ConfirmationStepMixin, Outcome
from mie_dx.forms import retention_period_text
from mie_dx.ratelimits import PublicPostLimitMixin, too_many, too_many_message
from mie_dx.views import SurveyView
from seminars import selectors, services
from seminars.forms import (
    CancelRegistrationForm,
    ChangeAttendanceForm,
    RegistrationForm,
    SeminarSurveyForm,
)
from seminars.ics import seminar_calendar
from seminars.models import (
    Attendance,
    Registration,
    RegistrationStatus,
    Seminar,
    SeminarSurvey,
)

if TYPE_CHECKING:
    # django-stubs' DetailView is generic in its model; Django's is not subscriptable.
    _SeminarDetailView = DetailView[Seminar]
else:
    _SeminarDetailView = DetailView

# The outcome shown after the form (mie_dx.confirmation.Outcome), nothing personal in it: the
# seminar, confirmed or wait-listed, the kind of attendance.
REGISTERED = Outcome("seminar_registered", path="/seminars/")
PAST_PER_PAGE = 20


class SeminarListView(TemplateView):
    """Upcoming seminars (with their seats left), then past ones. Served from the page cache
    (seminars/urls.py), renewed whenever a seminar or a registration changes."""

    template_name = "seminars/seminar_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        past = Paginator(selectors.past_seminars(today), PAST_PER_PAGE)
        context.update(
            {
                "upcoming": list(selectors.upcoming_seminars(today)),
                "past_page": past.get_page(self.request.GET.get("page")),
                "today": today,
            }
        )
        return context


class SeminarDetailView(_SeminarDetailView):
    """Served from the page cache (seminars/urls.py), renewed whenever a seminar or a
    registration changes, so the seats left shown are those of the last change; registering
    counts them again under the seminar's lock."""

    template_name = "seminars/seminar_detail.html"
    context_object_name = "seminar"

    def get_object(self, queryset: QuerySet[Seminar] | None = None) -> Seminar:
        return selectors.seminar_for_public(self.kwargs["slug"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        seminar = self.object
        context.update(
            {
                "closed_reason": services.registration_closed_reason(seminar),
                "is_past": seminar.is_past(),
                "has_calendar": seminar.starts_at is not None,
            }
        )
        return context


def seminar_calendar_view(request: HttpRequest, slug: str) -> HttpResponse:
    seminar = selectors.seminar_for_public(slug)
    if seminar.starts_at is None:
        raise Http404
    response = HttpResponse(seminar_calendar(seminar), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{seminar.slug}.ics"'
    return response


@method_decorator(never_cache, name="dispatch")
class RegistrationCreateView(ConfirmationStepMixin, PublicPostLimitMixin, View):
    template_name = "seminars/registration_form.html"
    confirm_template_name = "seminars/registration_confirm.html"
    ratelimit_group = "seminar-registration"
    seminar: Seminar  # the one posted to (post)

    def over_limit_response(self, request: HttpRequest, slug: str) -> HttpResponse:
        seminar = selectors.seminar_for_public(slug)
        form = RegistrationForm(request.POST, seminar=seminar)
        form.full_clean()
        form.add_error(None, too_many_message(request))
        return too_many(request, self._render(request, seminar, form))

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        seminar = selectors.seminar_for_public(slug)
        return self._render(request, seminar, RegistrationForm(seminar=seminar))

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        """The form, its confirmation page (確認画面) and the registration
        (mie_dx.confirmation)."""
        self.seminar = selectors.seminar_for_public(slug)
        return self.through_confirmation(RegistrationForm(request.POST, seminar=self.seminar))

    @staticmethod
    def _own(form: forms.Form) -> RegistrationForm:
        # The form the mixin hands back is the one `post` gave it: the core's
        # ConfirmationStepMixin types it as any Form (it is not generic in its form).
        return cast(RegistrationForm, form)

    def can_save(self, form: forms.Form) -> bool:
        return services.registration_closed_reason(self.seminar) is None

    def form_page(self, form: forms.Form) -> HttpResponse:
        # Re-rendered with the errors (or the reason registration is closed) and 200, like
        # Django's FormView and the consultation form.
        return self._render(self.request, self.seminar, self._own(form))

    def confirmation_context(self, form: forms.Form) -> dict[str, Any]:
        return {"seminar": self.seminar}

    def save(self, form: forms.Form) -> HttpResponse:
        form = self._own(form)
        seminar = self.seminar
        wants_consultation, topic = form.consultation_request()
        try:
            result = services.register(
                seminar=seminar,
                details=form.person_details(),
                attendance=form.cleaned_data["attendance"],
                wants_consultation=wants_consultation,
                consultation_topic=topic,
                language=get_language(),
            )
        except services.SeminarError as error:
            form.add_error(None, str(error))
            return self.form_page(form)
        # The same outcome whether the address was new or already registered: the page must
        # not tell whoever typed an address that it is known (the e-mail tells the address's
        # owner). Nothing of the stored registration is kept here.
        return REGISTERED.attach(
            redirect("seminars:registered", slug=seminar.slug),
            {
                "slug": seminar.slug,
                "status": result.shown_status,
                "attendance": form.cleaned_data["attendance"],
                "wants_consultation": wants_consultation and seminar.has_consultation_session,
            },
        )

    def _render(
        self, request: HttpRequest, seminar: Seminar, form: RegistrationForm
    ) -> HttpResponse:
        closed_reason = services.registration_closed_reason(seminar)
        return render(
            request,
            self.template_name,
            {
                "seminar": seminar,
                "form": form if closed_reason is None else None,
                "closed_reason": closed_reason,
                "retention": retention_period_text(),
            },
        )


@method_decorator(never_cache, name="dispatch")
class RegistrationDoneView(View):
    """After the form: confirmed or wait-listed, and that an e-mail was sent.

    Reads the outcome from this browser's signed cookie, so the page shows nothing to anyone
    else, and shows the same for an address that was already registered (see
    RegistrationCreateView).
    """

    template_name = "seminars/registration_done.html"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        outcome = REGISTERED.read(request)
        if not outcome or outcome.get("slug") != slug or "status" not in outcome:
            return redirect("seminars:register", slug=slug)
        seminar = selectors.seminar_for_public(slug)
        return render(
            request,
            self.template_name,
            {
                "seminar": seminar,
                "confirmed": outcome["status"] == RegistrationStatus.CONFIRMED,
                "attendance_label": Attendance(outcome["attendance"]).label,
                "wants_consultation": outcome["wants_consultation"],
            },
        )


@method_decorator(never_cache, name="dispatch")
class RegistrationManageView(PublicPostLimitMixin, View):
    """The registrant's private page: details, switch attendance, cancel."""

    ratelimit_group = "private-link"

    template_name = "seminars/registration_manage.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        registration = selectors.registration_for_registrant(token)
        return self._render(request, registration)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        registration = selectors.registration_for_registrant(token)
        action = request.POST.get("action")
        attendance_form: ChangeAttendanceForm | None = None
        cancel_form: CancelRegistrationForm | None = None
        try:
            if action == "change_attendance":
                attendance_form = ChangeAttendanceForm(request.POST, seminar=registration.seminar)
                if attendance_form.is_valid():
                    registration = services.change_attendance(
                        registration=registration,
                        attendance=attendance_form.cleaned_data["attendance"],
                    )
                    messages.success(
                        request,
                        _(
                            "参加方法を「%(attendance)s」に変更しました。確認のメールをお送りしました。"
                        )
                        % {"attendance": registration.get_attendance_display()},
                    )
                    return redirect("seminars:manage", token=token)
            elif action == "cancel":
                cancel_form = CancelRegistrationForm(request.POST)
                if cancel_form.is_valid():
                    services.cancel_registration(registration=registration)
                    messages.success(request, _("申込みを取り消しました。"))
                    return redirect("seminars:manage", token=token)
            else:
                raise Http404
        except services.SeminarError as error:
            # Raised by a service, called once the posted form was built and valid.
            posted = attendance_form or cancel_form
            if posted is not None:
                posted.add_error(None, str(error))
        return self._render(
            request,
            registration,
            attendance_form=attendance_form,
            cancel_form=cancel_form,
            status=400,
        )

    def _render(
        self,
        request: HttpRequest,
        registration: Registration,
        *,
        attendance_form: ChangeAttendanceForm | None = None,
        cancel_form: CancelRegistrationForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        seminar = registration.seminar
        changeable = (
            registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
            and not seminar.is_past()
            and seminar.status == "published"
            and (seminar.starts_at is None or timezone.now() < seminar.starts_at)
        )
        other_choices = [c for c in seminar.attendance_choices if c[0] != registration.attendance]
        if attendance_form is None and other_choices:
            attendance_form = ChangeAttendanceForm(
                seminar=seminar, initial={"attendance": other_choices[0][0]}
            )
        return render(
            request,
            self.template_name,
            {
                "registration": registration,
                "seminar": seminar,
                "attendance_form": attendance_form if changeable and other_choices else None,
                "cancel_form": (cancel_form or CancelRegistrationForm()) if changeable else None,
                "waitlist_position": selectors.waitlist_position(registration),
                # The meeting link: only on this private page, only to confirmed online people.
                "show_online_link": registration.status == RegistrationStatus.CONFIRMED
                and registration.is_online
                and bool(seminar.online_meeting_url),
            },
            status=status,
        )


class SeminarSurveyView(SurveyView):
    template_name = "seminars/survey_form.html"
    form_class = SeminarSurveyForm
    url_name = "seminars:survey"

    def get_survey(self, token: str) -> SeminarSurvey:
        return selectors.survey_for_respondent(token)
