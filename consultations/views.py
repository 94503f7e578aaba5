"""Public consultation pages: the form, the private status page, the survey, the supporter link.

Views are thin: a form validates, one service writes, a domain error becomes a form error.
"""

from typing import TYPE_CHECKING, Any, TypedDict, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from advisors.models import ExpertiseArea
from consultations import figures, pending_uploads, selectors, services
from consultations.forms import (
    AdviceForm,
    AssignmentResponseForm,
    ConsultationForm,
    WithdrawForm,
)
from consultations.models import (
    AdviceSession,
    Assignment,
    Category,
    Consultation,
    Status,
    Survey,
)
from consultations.workflow import ADVICE_STATUSES
from mie_dx.confirmation import ConfirmationStepMixin, Outcome
from mie_dx.forms import FiscalYearForm, resubmitted_fields, retention_period_text
from mie_dx.importexport import FORMAT_VAR, dataset_response
from mie_dx.pagecache import do_not_cache
from mie_dx.ratelimits import PublicPostLimitMixin, too_many, too_many_message
from mie_dx.views import SurveyView

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # django-stubs' FormView is generic in its form; Django's is not subscriptable.
    _ConsultationFormView = FormView[ConsultationForm]
else:
    _ConsultationFormView = FormView

# The page after the form shows the reference it was given (mie_dx.confirmation.Outcome).
SUBMITTED = Outcome("consultation_submitted", path="/consultations/")

# What each status means to the person who asked, in plain words.
STATUS_EXPLANATIONS: dict[str, "StrOrPromise"] = {
    Status.RECEIVED: gettext_lazy("相談を受け付けました。担当者が内容を確認しています。"),
    Status.TRIAGE: gettext_lazy(
        "担当者が課題を整理しています（課題の明確化）。必要に応じてご連絡します。"
    ),
    # Also while a supporter who was asked has not answered yet: the requester hears about a
    # supporter once one accepts (then the case is 助言・提案).
    Status.MATCHING: gettext_lazy(
        "ご相談に最適なアドバイザー・パートナーを選び、お引き受けいただけるか確認しています。"
        "決まりましたらお知らせします。"
    ),
    Status.ADVISING: gettext_lazy("アドバイザー・パートナーが助言・提案を行っています。"),
    Status.CLOSED: gettext_lazy("相談は完了しました。ご利用ありがとうございました。"),
    Status.ON_HOLD: gettext_lazy("相談を一時保留しています。再開するときはご連絡します。"),
    Status.WITHDRAWN: gettext_lazy("相談は取り下げられました。"),
    Status.DECLINED: gettext_lazy(
        "申し訳ありませんが、このご相談はセンターではお受けできませんでした。詳しくはメールをご確認ください。"
    ),
}


# The usual path of a consultation, shown to the requester as numbered steps.
MAIN_PATH = [Status.RECEIVED, Status.TRIAGE, Status.MATCHING, Status.ADVISING, Status.CLOSED]


def _explain(status: str) -> str:
    return str(STATUS_EXPLANATIONS[status])


class Step(TypedDict):
    label: "StrOrPromise"
    state: str  # done, current or todo


def _steps(status: str) -> list[Step]:
    """Where the consultation is on the usual path ([] when it left it: on hold, ended)."""
    if status not in MAIN_PATH:
        return []
    current = MAIN_PATH.index(Status(status))
    return [
        {
            "label": step.label,
            "state": "done"
            if n < current or status == Status.CLOSED
            else ("current" if n == current else "todo"),
        }
        for n, step in enumerate(MAIN_PATH)
    ]


def retention_context() -> dict[str, str]:
    """The retention period as the privacy notices state it (PERSONAL_DATA_RETENTION_DAYS)."""
    return {"retention": retention_period_text()}


class ConsultationCreateView(ConfirmationStepMixin, PublicPostLimitMixin, _ConsultationFormView):
    """The form, its confirmation page (確認画面) and the save (mie_dx.confirmation).

    The attachment cannot travel in hidden inputs: it is kept in private storage until the
    confirmation (consultations.pending_uploads).
    """

    template_name = "consultations/consultation_form.html"
    confirm_template_name = "consultations/consultation_confirm.html"
    form_class = ConsultationForm
    ratelimit_group = "consultation-form"

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        # 「この分野で相談する」 on a supporter's page pre-fills the kind of consultation.
        category = self.request.GET.get("category")
        if category in Category.values:
            initial["category"] = category
        elif category is not None:
            do_not_cache(self.request)  # a made-up value is not worth a cache entry
        area = self.expertise_area()
        if area is not None:
            initial["title"] = _("「%(area)s」について相談したい") % {"area": area.localized_name}
        elif self.request.GET.get("expertise") is not None:
            do_not_cache(self.request)
        return initial

    def expertise_area(self) -> ExpertiseArea | None:
        slug = self.request.GET.get("expertise", "")
        if self.request.method != "GET" or not slug:
            return None
        return ExpertiseArea.objects.filter(slug=slug).first()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**retention_context(), **kwargs)

    def over_limit_response(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The form comes back with what was typed (not the file: browsers never refill it).
        form = self.get_form()
        form.full_clean()
        form.add_error(None, too_many_message(request))
        return too_many(request, self.render_to_response(self.get_context_data(form=form)))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.through_confirmation(self.get_form())

    def form_page(self, form: forms.Form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form))

    @staticmethod
    def _own(form: forms.Form) -> ConsultationForm:
        # The form the mixin hands back is the one `post` gave it (get_form): the core's
        # ConfirmationStepMixin types it as any Form (it is not generic in its form).
        return cast(ConsultationForm, form)

    def attachment_token(self, form: ConsultationForm) -> str:
        """The kept attachment's token; a new file replaces the one kept before at once."""
        upload = form.cleaned_data.get("attachment")
        replaced = self.request.POST.get("attachment_token", "") if upload else ""
        if replaced:
            pending_uploads.discard(replaced)
        token: str = form.cleaned_data.get("attachment_token", "")
        return token

    def confirmation_context(self, form: forms.Form) -> dict[str, Any]:
        form = self._own(form)
        token = self.attachment_token(form)
        upload = form.cleaned_data.get("attachment")
        if upload:
            token = pending_uploads.keep(upload)
        return {
            "hidden_fields": [
                (name, value)
                for name, value in resubmitted_fields(form)
                if name != "attachment_token"
            ],
            "attachment_token": token,
            "attachment_name": pending_uploads.name_of(token) if token else "",
        }

    def save(self, form: forms.Form) -> HttpResponse:
        form = self._own(form)
        token = self.attachment_token(form)
        upload = form.cleaned_data.get("attachment")
        kept = pending_uploads.open_file(token) if token and not upload else None
        try:
            consultation = services.submit_consultation(
                details=form.requester_details(),
                attachment=upload or kept,
                language=get_language(),
            )
        finally:
            if kept is not None:
                kept.close()
        if token:
            pending_uploads.discard(token)
        return SUBMITTED.attach(
            redirect("consultations:submitted"), {"reference": consultation.reference}
        )


@method_decorator(never_cache, name="dispatch")
class ConsultationSubmittedView(TemplateView):
    """After the form: the reference, from this browser's signed cookie (mie_dx.confirmation)."""

    template_name = "consultations/consultation_submitted.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        outcome = SUBMITTED.read(request)
        if not outcome or "reference" not in outcome:
            return redirect("consultations:new")
        return self.render_to_response(self.get_context_data(reference=outcome["reference"]))


@method_decorator(never_cache, name="dispatch")
class ConsultationStatusView(PublicPostLimitMixin, View):
    ratelimit_group = "private-link"
    template_name = "consultations/consultation_status.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        consultation = selectors.consultation_for_requester(token)
        return self._render(request, consultation, WithdrawForm())

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        consultation = selectors.consultation_for_requester(token)
        form = WithdrawForm(request.POST)
        if consultation.is_open and not form.is_valid():
            return self._render(request, consultation, form, status=400)
        # An ended consultation has no form on the page, so the refusal is shown on its own
        # (posting the old page again, or a second tab).
        try:
            services.withdraw(
                consultation=consultation,
                reason=form.cleaned_data.get("reason", "") if form.is_valid() else "",
            )
        except services.ConsultationError as error:
            return self._render(request, consultation, form, error=str(error), status=400)
        messages.success(request, _("相談を取り下げました。"))
        return redirect("consultations:status", token=token)

    def _render(
        self,
        request: HttpRequest,
        consultation: Consultation,
        form: WithdrawForm,
        *,
        error: str = "",
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {
                "consultation": consultation,
                "explanation": _explain(consultation.status),
                "steps": _steps(consultation.status),
                "history": consultation.status_changes.all(),
                "supporters": [a.supporter for a in consultation.assignments.all()],
                "withdraw_form": form if consultation.is_open else None,
                "withdraw_error": error,
                "survey": getattr(consultation, "survey", None),
            },
            status=status,
        )


class ConsultationSurveyView(SurveyView):
    template_name = "consultations/survey_form.html"
    url_name = "consultations:survey"

    def get_survey(self, token: str) -> Survey:
        return selectors.survey_for_requester(token)


@method_decorator(never_cache, name="dispatch")
class AssignmentView(PublicPostLimitMixin, View):
    ratelimit_group = "private-link"
    """The supporter's private page: accept or decline, then record the advice given."""

    template_name = "consultations/assignment_detail.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        assignment = selectors.assignment_for_supporter(token)
        return self._render(request, assignment)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        assignment = selectors.assignment_for_supporter(token)
        action = request.POST.get("action")
        response_form: AssignmentResponseForm | None = None
        advice_form: AdviceForm | None = None
        try:
            if action == "respond":
                response_form = AssignmentResponseForm(request.POST)
                if response_form.is_valid():
                    accept = response_form.cleaned_data["decision"] == "accept"
                    services.respond_to_assignment(
                        assignment=assignment,
                        accept=accept,
                        reason=response_form.cleaned_data["reason"],
                    )
                    messages.success(
                        request,
                        _("ご回答ありがとうございます。")
                        if accept
                        else _(
                            "辞退を受け付けました。センターから別のアドバイザー等を調整します。"
                        ),
                    )
                    return redirect("consultations:assignment", token=token)
            elif action == "advice":
                advice_form = AdviceForm(request.POST)
                if advice_form.is_valid():
                    services.record_advice(
                        assignment=assignment,
                        held_on=advice_form.cleaned_data["held_on"],
                        summary=advice_form.cleaned_data["summary"],
                        by_supporter=True,
                    )
                    messages.success(request, _("助言・提案の内容を記録しました。"))
                    return redirect("consultations:assignment", token=token)
            else:
                raise Http404
        except services.ConsultationError as error:
            # Shown above the forms: the form that was posted may no longer be on the page
            # (an answer given twice, a case closed meanwhile).
            return self._render(
                request, assignment, advice_form=advice_form, error=str(error), status=400
            )
        return self._render(
            request, assignment, response_form=response_form, advice_form=advice_form, status=400
        )

    def _render(
        self,
        request: HttpRequest,
        assignment: Assignment,
        *,
        response_form: AssignmentResponseForm | None = None,
        advice_form: AdviceForm | None = None,
        error: str = "",
        status: int = 200,
    ) -> HttpResponse:
        consultation = assignment.consultation
        max_sessions = settings.CONSULTATION_MAX_ADVICE_SESSIONS
        # In matching, recording advice is the supporter's acceptance (services.record_advice).
        recordable = consultation.status in ADVICE_STATUSES and assignment.is_active
        # The limit counts every supporter's sessions on the consultation, not only these.
        limit_reached = (
            recordable
            and AdviceSession.objects.filter(assignment__consultation=consultation).count()
            >= max_sessions
        )
        can_record = recordable and not limit_reached
        return render(
            request,
            self.template_name,
            {
                "assignment": assignment,
                "consultation": consultation,
                # Contact details are shared once the supporter has taken the case on, and
                # only while the case is open.
                "show_contact": consultation.is_open
                and assignment.state in (Assignment.State.ACCEPTED, Assignment.State.DONE),
                "response_form": (response_form or AssignmentResponseForm())
                if assignment.state == Assignment.State.PROPOSED and consultation.is_open
                else None,
                "advice_form": (advice_form or AdviceForm()) if can_record else None,
                # What was typed in a refused advice form, kept on the page when the form is
                # gone (the limit was reached meanwhile) so that it is not lost.
                "unsaved_summary": advice_form["summary"].value()
                if advice_form is not None and not can_record
                else "",
                "limit_reached": limit_reached,
                "max_sessions": max_sessions,
                "error": error,
            },
            status=status,
        )


class AttachmentDownloadView(PermissionRequiredMixin, View):
    """Attachments are private: only staff allowed to see personal data may download them."""

    permission_required = ("consultations.view_consultation", "consultations.view_personal_data")
    raise_exception = False

    def get_login_url(self) -> str:
        return reverse("admin:login")

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        consultation = get_object_or_404(Consultation, pk=pk)
        if not consultation.attachment:
            raise Http404
        try:
            handle = consultation.attachment.open("rb")
        except FileNotFoundError:
            # The row outlived its file (restored database, erased by the retention purge).
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=consultation.attachment_name or consultation.attachment.name or "",
        )
        response["Cache-Control"] = "private, no-store"
        return response


# --- The consultation figures (managers and center staff) --------------------------------------


def year_form(data: Any) -> FiscalYearForm:
    """The core's year picker over the center's years (令和3年度 to this one, newest first)."""
    return FiscalYearForm(data, years=[fy for fy, _label in figures.fiscal_year_choices()])


class FiguresAccessMixin(PermissionRequiredMixin):
    """Managers and center staff (consultations.view_consultation): anonymous visitors go to
    the login page, anybody else signed in gets 403. The figures hold no personal data."""

    permission_required = "consultations.view_consultation"


@method_decorator(never_cache, name="dispatch")
class ConsultationFiguresView(FiguresAccessMixin, TemplateView):
    """Cases per fiscal year by requester type × category and by month (seed §4)."""

    template_name = "consultations/consultation_figures.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = year_form(self.request.GET or None)
        fy = form.chosen(default=figures.fiscal_year_choices()[0][0])
        return super().get_context_data(
            form=form,
            figures=figures.consultation_figures(fy),
            today=timezone.localdate(),
            **kwargs,
        )


class ConsultationFiguresExportView(FiguresAccessMixin, View):
    """The same tables as CSV (UTF-8 with BOM) or XLSX (`_format=xlsx`), counts as numbers."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = year_form(request.GET)
        if not form.is_valid() or not form.cleaned_data["fy"]:
            return HttpResponseBadRequest(
                _("年度の指定が正しくありません。集計のページから出力してください。"),
                content_type="text/plain; charset=utf-8",
            )
        fy = form.cleaned_data["fy"]
        chosen = request.GET.get(FORMAT_VAR, "csv")
        result = figures.consultation_figures(fy)
        return dataset_response(
            figures.figures_dataset(result),
            filename_stem=f"consultation-figures-{fy}",
            file_format="xlsx" if chosen == "xlsx" else "csv",
            sheet_title=_("相談件数 %(year)s") % {"year": result.label},
        )
