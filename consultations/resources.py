"""The consultations export: the triage list as staff filtered it, for Excel."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from consultations import selectors
from consultations.models import Assignment, Consultation
from consultations.workflow import status_label
from mie_dx.importexport import PortalResource
from mie_dx.people import Requester
from mie_dx.text import join_list


class ConsultationResource(PortalResource):
    """Export only (consultations come in through the form, or staff enter them)."""

    reference = Field("reference", _("受付番号"))
    created_at = Field(column_name=_("受付日時"), dehydrate_method="dehydrate_created_at")
    source = Field("get_source_display", _("受付経路"))
    status = Field(column_name=_("状態"), dehydrate_method="dehydrate_status")
    requester_type = Field("get_requester_type_display", _("相談者の区分"))
    municipality = Field("get_municipality_display", _("所在市町"))
    category = Field("get_category_display", _("相談内容の種類"))
    title = Field("title", _("件名"))
    supporters = Field(
        column_name=_("アドバイザー・パートナー"), dehydrate_method="dehydrate_supporters"
    )
    organization = Field("organization", _("団体・事業者・所属名"))
    name = Field("name", _("氏名"))
    name_kana = Field("name_kana", _("フリガナ"))
    email = Field("email", _("メールアドレス"))
    phone = Field("phone", _("電話番号"))

    class Meta:
        model = Consultation
        fields = (
            "reference",
            "created_at",
            "source",
            "status",
            "requester_type",
            "municipality",
            "category",
            "title",
            "supporters",
            "organization",
            "name",
            "name_kana",
            "email",
            "phone",
        )
        personal_fields = Requester.PERSONAL_FIELDS

    def get_queryset(self):
        return selectors.consultations_for_triage()

    def dehydrate_created_at(self, consultation: Consultation) -> str:
        return timezone.localtime(consultation.created_at).strftime("%Y-%m-%d %H:%M")

    def dehydrate_status(self, consultation: Consultation) -> str:
        # As the change list shows it: 「マッチング（依頼中）」 while an answer is awaited.
        return status_label(
            consultation.status,
            awaiting_answer=any(
                a.state == Assignment.State.PROPOSED for a in consultation.active_assignments
            ),
        )

    def dehydrate_supporters(self, consultation: Consultation) -> str:
        # `active_assignments` is prefetched by selectors.consultations_for_triage().
        return join_list(a.supporter.name for a in consultation.active_assignments)
