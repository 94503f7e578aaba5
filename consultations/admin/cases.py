"""The case list and the case page (consultations), with the small views its buttons post to.

Status never changes through the ModelForm: the change page posts to small admin views that
call the services, which check the workflow and record who did what."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from advisors.models import Supporter
from consultations import retention, selectors, services
from consultations.admin.filters import (
    PERSONAL_FIELDS,
    SECRET_LOOKUPS,
    AgeFilter,
    CaseStateFilter,
    SampleFilter,
    StaffInChargeFilter,
    staff_name,
)
from consultations.admin.forms import (
    ConsultationAdminForm,
    NoteForm,
    ReplyForm,
    StaffInChargeForm,
    TransitionForm,
)
from consultations.admin.next_step import next_step
from consultations.forms import AdviceForm
from consultations.matching import suggest_supporters
from consultations.models import (
    Assignment,
    Consultation,
    Source,
    Status,
)
from consultations.resources import ConsultationResource
from consultations.services import ConsultationDetails, ConsultationError
from consultations.workflow import (
    ADVICE_STATUSES,
    START_MATCHING_FROM,
    status_label,
)
from mie_dx.admin_filters import FiscalYearDateListFilter
from mie_dx.admin_mixins import (
    AuditLogAdminMixin,
    ErasePersonalDataMixin,
    PersonalDataAdminMixin,
)
from mie_dx.importexport import PortalExportMixin
from mie_dx.text import join_list
from mie_dx.users import acting_user

if TYPE_CHECKING:
    from django_stubs_ext import FieldsetSpec, WithAnnotations

    from consultations.selectors import ActiveAssignments

    # django-stubs' ModelAdmin is generic in its model; Django's is not subscriptable.
    _ConsultationAdmin = admin.ModelAdmin[Consultation]
else:
    _ConsultationAdmin = admin.ModelAdmin


@admin.register(Consultation)
class ConsultationAdmin(
    ErasePersonalDataMixin,
    AuditLogAdminMixin,
    PersonalDataAdminMixin,
    PortalExportMixin,
    _ConsultationAdmin,
):
    """Export (CSV / XLSX) through PortalExportMixin: the change list as filtered, personal
    columns only for staff with view_personal_data."""

    form = ConsultationAdminForm
    change_form_template = "admin/consultations/consultation/change_form.html"
    # The list's header links to the figures page (consultations:figures).
    import_export_change_list_template = "admin/consultations/consultation/change_list.html"
    resource_classes = [ConsultationResource]
    export_filename_stem = "consultations"
    # The title gets the width (static/css/admin.css); the short columns never wrap.
    list_display = (
        "reference",
        "title",
        "age",
        "status_shown",
        "requester_type",
        "municipality",
        "staff_in_charge_name",
        "supporters",
    )
    list_display_links = ("reference", "title")
    list_filter = (
        CaseStateFilter,
        StaffInChargeFilter,
        "status",
        ("created_at", FiscalYearDateListFilter),
        AgeFilter,
        "category",
        "requester_type",
        "municipality",
        "source",
        ("assignments__supporter", admin.RelatedOnlyFieldListFilter),
        SampleFilter,
    )
    search_fields = ("reference", "title", "description", "organization", "name", "email")
    personal_fields = (*PERSONAL_FIELDS, "attachment_name")
    personal_display = ("attachment_link",)
    list_per_page = 50
    readonly_fields = ("reference", "status", "created_at", "attachment_link", "created_by")

    class Media:
        css = {"all": ("css/admin.css",)}

    # --- Reading ---------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Consultation]:
        return selectors.consultations_for_triage()

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        """Refuse URL filters by the private link (personal fields: PersonalDataAdminMixin).

        A refused lookup raises DisallowedModelAdminLookup in the change list (and in the
        export, which builds the same change list): a 400, like any other refused lookup.
        """
        if lookup.split(LOOKUP_SEP, 1)[0] in SECRET_LOOKUPS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_fieldsets(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> "FieldsetSpec":
        requester = ("requester_type", *PERSONAL_FIELDS, "municipality")
        content: tuple[str, ...] = ("category", "title", "description")
        if obj is not None:
            content = (*content, "attachment_link")
        first = ("source",) if obj is None else ("reference", "status", "source", "created_at")
        fieldsets: FieldsetSpec = [
            (None, {"fields": first}),
            (_("相談者"), {"fields": requester}),
            (_("相談内容"), {"fields": content}),
        ]
        # Through the mixins: personal fields out for managers, the audit log section in.
        return self.finish_fieldsets(request, obj, fieldsets)

    @staticmethod
    def correcting(request: HttpRequest) -> bool:
        """The case page shows the requester's details and text read-only; staff open the
        form on purpose (`?correct=1`) to correct them, and the correction is logged."""
        return request.method == "POST" or request.GET.get("correct") == "1"

    def get_readonly_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> list[str] | tuple[()]:
        if obj is None:
            return ()
        readonly = [*super().get_readonly_fields(request, obj), "source"]
        if not self.correcting(request):
            readonly += [name for name in ConsultationDetails.field_names() if name not in readonly]
        return readonly

    @admin.display(description=gettext_lazy("経過"), ordering="created_at")
    def age(self, obj: Consultation) -> str:
        days = (timezone.now() - obj.created_at).days
        if not obj.is_open:
            css = "age-done"
        elif days >= 7:
            css = "age-old"
        elif days >= 3:
            css = "age-warn"
        else:
            css = "age-fresh"
        return format_html(
            '<span class="age {}">{}</span>',
            css,
            ngettext("%(days)s日", "%(days)s日", days) % {"days": days},
        )

    @admin.display(description=gettext_lazy("状態"), ordering="status")
    def status_shown(self, obj: "WithAnnotations[Consultation, ActiveAssignments]") -> str:
        # `active_assignments` is prefetched by selectors.consultations_for_triage().
        return status_label(
            obj.status,
            awaiting_answer=any(
                a.state == Assignment.State.PROPOSED for a in obj.active_assignments
            ),
        )

    @admin.display(description=gettext_lazy("アドバイザー・パートナー"))
    def supporters(self, obj: "WithAnnotations[Consultation, ActiveAssignments]") -> str:
        return join_list(a.supporter.name for a in obj.active_assignments)

    @admin.display(description=gettext_lazy("センター担当者"), ordering="staff_in_charge")
    def staff_in_charge_name(self, obj: Consultation) -> str:
        return staff_name(obj.staff_in_charge) or "—"

    @admin.display(description=gettext_lazy("添付ファイル"))
    def attachment_link(self, obj: Consultation) -> str:
        if not obj.attachment:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("consultations:attachment", args=[obj.pk]),
            obj.attachment_name or _("ダウンロード"),
        )

    # --- Writing through services ----------------------------------------------------------

    def save_model(
        self,
        request: HttpRequest,
        obj: Consultation,
        form: ConsultationAdminForm,
        change: bool,
    ) -> None:
        if change:
            # Only what this form changed: the requester may have withdrawn, the case been
            # erased or the stale alert flagged since the page was loaded, and writing every
            # column would undo that.
            services.correct_details(consultation=obj, fields=form.changed_data, by=request.user)
            return
        # A consultation taken by phone, e-mail, a visit or at a seminar, entered by staff:
        # whoever took it looks after it until someone else is put in charge.
        details = ConsultationDetails.from_data(form.cleaned_data)
        with transaction.atomic():
            created = services.submit_consultation(
                details=details, source=form.cleaned_data["source"], created_by=request.user
            )
            services.set_staff_in_charge(
                consultation=created, staff=acting_user(request.user), by=request.user
            )
        obj.pk = created.pk
        obj.reference = created.reference
        obj.email = created.email
        if not created.can_be_emailed:
            messages.warning(
                request,
                _(
                    "メールアドレスがないため、受付のメールは送っていません。"
                    "受付番号 %(reference)s を電話でお伝えください。"
                )
                % {"reference": created.reference},
            )

    def response_add(
        self, request: HttpRequest, obj: Consultation, post_url_continue: str | None = None
    ) -> HttpResponse:
        # Straight to the new case (its next step), not back to the list.
        if "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        messages.success(
            request, _("相談 %(reference)s を登録しました。") % {"reference": obj.reference}
        )
        return self._back(obj)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, str | list[str]]:
        return {"source": Source.PHONE}

    actions = ["erase_personal_data"]
    still_needed_message = gettext_lazy(
        "対応中の相談の個人情報は削除できません。先に終了してください: %(items)s"
    )

    def erase_one(self, obj: Consultation, *, by: User | AnonymousUser) -> None:
        retention.erase_personal_data(consultation=obj, by=by)

    def erase_label(self, obj: Consultation) -> str:
        return obj.reference

    def has_delete_permission(self, request: HttpRequest, obj: Consultation | None = None) -> bool:
        # A consultation is never deleted: its personal data is erased instead (the "erase"
        # action above, on request; the purge_personal_data command after the retention
        # period), which keeps the statistics.
        return False

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/transition/", wrap(self.transition_view), name="consultations_transition"
            ),
            path("<int:pk>/note/", wrap(self.note_view), name="consultations_note"),
            path("<int:pk>/reply/", wrap(self.reply_view), name="consultations_reply"),
            path("<int:pk>/staff/", wrap(self.staff_view), name="consultations_staff"),
            path(
                "<int:pk>/start-matching/",
                wrap(self.start_matching_view),
                name="consultations_start_matching",
            ),
            path("<int:pk>/match/", wrap(self.match_view), name="consultations_match"),
            path(
                "<int:pk>/advice/<int:assignment_pk>/",
                wrap(self.advice_view),
                name="consultations_advice",
            ),
            # The export's older name (PortalExportMixin also names it
            # consultations_consultation_export).
            path("export/", wrap(self.export_action), name="consultations_export"),
            *super().get_urls(),
        ]

    def _consultation_or_403(self, request: HttpRequest, pk: int) -> Consultation:
        consultation = get_object_or_404(Consultation, pk=pk)
        if not (
            self.has_change_permission(request, consultation)
            and request.user.has_perm("consultations.change_status")
        ):
            raise PermissionDenied
        return consultation

    def _back(self, consultation: Consultation) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:consultations_consultation_change", args=[consultation.pk])
        )

    def transition_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        consultation = self._consultation_or_403(request, pk)
        if request.method != "POST":
            return self._back(consultation)
        form = TransitionForm(request.POST, consultation=consultation)
        if not form.is_valid():
            messages.error(request, _("変更後の状態を選んでください。"))
            return self._back(consultation)
        try:
            services.change_status(
                consultation=consultation,
                to_status=form.cleaned_data["to_status"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ConsultationError as error:
            messages.error(request, str(error))
        else:
            consultation.refresh_from_db()
            messages.success(
                request,
                _("状態を「%(status)s」に変更しました。")
                % {"status": consultation.get_status_display()},
            )
        return self._back(consultation)

    def note_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        consultation = get_object_or_404(Consultation, pk=pk)
        if not self.has_change_permission(request, consultation):
            raise PermissionDenied
        form = NoteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.add_internal_note(
                consultation=consultation, by=request.user, body=form.cleaned_data["body"]
            )
            messages.success(request, _("内部メモを追加しました。"))
        elif request.method == "POST":
            messages.error(request, _("メモを入力してください。"))
        return self._back(consultation)

    def reply_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        consultation = self._consultation_or_403(request, pk)
        if request.method != "POST":
            return self._back(consultation)
        form = ReplyForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, str(message))
            return self._back(consultation)
        try:
            reply = services.reply_to_requester(
                consultation=consultation, body=form.cleaned_data["body"], by=request.user
            )
        except ConsultationError as error:
            messages.error(request, str(error))
        else:
            if reply.emailed:
                messages.success(request, _("相談者に連絡しました（メールで送信します）。"))
            else:
                messages.warning(
                    request,
                    _(
                        "連絡を記録しました。メールアドレスがないため、メールは送っていません。"
                        "電話で伝えてください。"
                    ),
                )
        return self._back(consultation)

    def staff_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        consultation = get_object_or_404(Consultation, pk=pk)
        if not self.has_change_permission(request, consultation):
            raise PermissionDenied
        if request.method != "POST":
            return self._back(consultation)
        staff: User | None
        if "take" in request.POST:
            staff = acting_user(request.user)  # the signed-in staff member (admin_view)
        else:
            form = StaffInChargeForm(request.POST, current=consultation.staff_in_charge_id)
            if not form.is_valid():
                messages.error(request, _("センター担当者を選び直してください。"))
                return self._back(consultation)
            staff = form.cleaned_data["staff"]
        try:
            services.set_staff_in_charge(consultation=consultation, staff=staff, by=request.user)
        except ConsultationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("センター担当者を「%(name)s」にしました。") % {"name": staff_name(staff)}
                if staff
                else _("センター担当者を外しました。"),
            )
        return self._back(consultation)

    def start_matching_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """「マッチングへ進む」: triage to matching in one step (a POST, its own button), then
        straight to the suggestions."""
        consultation = self._consultation_or_403(request, pk)
        if request.method != "POST":
            return self._back(consultation)
        try:
            services.start_matching(
                consultation=consultation,
                by=request.user,
                note=request.POST.get("note", "")[:2000],
            )
        except ConsultationError as error:
            messages.error(request, str(error))
            return self._back(consultation)
        messages.success(request, _("状態を「マッチング」に変更しました。"))
        return HttpResponseRedirect(reverse("admin:consultations_match", args=[consultation.pk]))

    def match_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The suggestions (推薦). Looking at them (GET) changes nothing; supporters are asked
        (POST) only in matching. Elsewhere the page offers 「マッチングへ進む」, a button of
        its own that posts to `start_matching_view`."""
        consultation = self._consultation_or_403(request, pk)
        suggestions = suggest_supporters(consultation, limit=50)
        if request.method == "POST":
            chosen_ids = [int(v) for v in request.POST.getlist("supporter") if v.isdigit()]
            chosen = list(Supporter.objects.filter(pk__in=chosen_ids))
            scores = {s.supporter.pk: (s.score, s.reasons) for s in suggestions}
            try:
                services.assign_supporters(
                    consultation=consultation,
                    supporters=chosen,
                    by=request.user,
                    scores=scores,
                    note=request.POST.get("note", "")[:2000],
                )
            except ConsultationError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "%(names)s に依頼しました。相談者には、アドバイザー等が引き受けたときに"
                        "通知します。"
                    )
                    % {"names": join_list(s.name for s in chosen)},
                )
                no_address = [s.name for s in chosen if not s.contact_email]
                if no_address:
                    messages.warning(
                        request,
                        _(
                            "%(names)s はメールアドレスの登録がないため、依頼はセンターの"
                            "受信箱に届きます。電話などで依頼内容を伝えてください。"
                        )
                        % {"names": join_list(no_address)},
                    )
                return self._back(consultation)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("アドバイザー・パートナーのマッチング"),
            "consultation": consultation,
            # The supporters the ranking suggests (score above 0) first, the button right
            # after them; the rest are folded away (a <details> the staff open on purpose).
            "suggested": [s for s in suggestions if s.score > 0],
            "others": [s for s in suggestions if s.score <= 0],
            "can_assign": consultation.status == Status.MATCHING,
            "can_start_matching": consultation.status in START_MATCHING_FROM,
            "status_label": status_label(
                consultation.status,
                awaiting_answer=consultation.assignments.filter(
                    state=Assignment.State.PROPOSED
                ).exists(),
            ),
        }
        return TemplateResponse(request, "admin/consultations/consultation/match.html", context)

    def advice_view(self, request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
        consultation = self._consultation_or_403(request, pk)
        assignment = get_object_or_404(Assignment, pk=assignment_pk, consultation=consultation)
        form = AdviceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.record_advice(
                    assignment=assignment,
                    held_on=form.cleaned_data["held_on"],
                    summary=form.cleaned_data["summary"],
                    by_supporter=False,
                    by=request.user,
                )
            except ConsultationError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("助言・提案の内容を記録しました。"))
        elif request.method == "POST":
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, str(message))
        return self._back(consultation)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = extra_context or {}
        consultation = self.get_object(request, object_id)
        if consultation is not None:
            correcting = self.correcting(request)
            can_change_status = request.user.has_perm(
                "consultations.change_status"
            ) and self.has_change_permission(request, consultation)
            assignments = list(consultation.assignments.select_related("supporter"))
            extra_context.update(
                {
                    "correcting": correcting,
                    "timeline": selectors.timeline(consultation),
                    "transition_form": TransitionForm(consultation=consultation),
                    "note_form": NoteForm(),
                    "reply_form": ReplyForm(),
                    "staff_form": StaffInChargeForm(
                        initial={"staff": consultation.staff_in_charge_id},
                        current=consultation.staff_in_charge_id,
                    ),
                    "advice_form": AdviceForm(),
                    "assignments": assignments,
                    "supporters_without_address": [
                        a.supporter.name
                        for a in assignments
                        if a.is_active and not a.supporter.contact_email
                    ],
                    "can_change_status": can_change_status,
                    "can_record_advice": can_change_status
                    and consultation.status in ADVICE_STATUSES,
                    "status_label": status_label(
                        consultation.status,
                        awaiting_answer=any(
                            a.state == Assignment.State.PROPOSED for a in assignments
                        ),
                    ),
                    "next_step": next_step(consultation, assignments)
                    if can_change_status
                    else None,
                    "staff_in_charge_name": staff_name(consultation.staff_in_charge),
                    # Viewing the case saves nothing; correcting saves with one button.
                    "show_save": correcting,
                    "show_save_and_continue": False,
                    "show_save_and_add_another": False,
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False}
        return super().add_view(request, form_url, extra_context)
