"""The registrants export: the registration list as staff filtered it, for Excel."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from mie_dx.importexport import PortalResource
from seminars.models import Registration


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class RegistrationResource(PortalResource):
    """Export only: people register through the public form, which counts the seats."""

    seminar = Field("seminar", _("セミナー"))
    status = Field("get_status_display", _("状態"))
    attendance = Field("get_attendance_display", _("参加方法"))
    requester_type = Field("get_requester_type_display", _("参加者の区分"))
    organization = Field("organization", _("団体・事業者・所属名"))
    name = Field("name", _("氏名"))
    name_kana = Field("name_kana", _("フリガナ"))
    email = Field("email", _("メールアドレス"))
    phone = Field("phone", _("電話番号"))
    wants_consultation = Field(
        column_name=_("個別相談を希望"), dehydrate_method="dehydrate_wants_consultation"
    )
    consultation_topic = Field("consultation_topic", _("個別相談の内容"))
    consultation_slot_at = Field(
        column_name=_("個別相談の時間"), dehydrate_method="dehydrate_consultation_slot_at"
    )
    consultation = Field("consultation__reference", _("相談の受付番号"))
    registered_at = Field(column_name=_("申込日時"), dehydrate_method="dehydrate_registered_at")
    waitlisted_at = Field(
        column_name=_("キャンセル待ち登録日時"), dehydrate_method="dehydrate_waitlisted_at"
    )
    checked_in_at = Field(
        column_name=_("出欠の記録日時"), dehydrate_method="dehydrate_checked_in_at"
    )

    class Meta:
        model = Registration
        fields = (
            "seminar",
            "status",
            "attendance",
            "requester_type",
            "organization",
            "name",
            "name_kana",
            "email",
            "phone",
            "wants_consultation",
            "consultation_topic",
            "consultation_slot_at",
            "consultation",
            "registered_at",
            "waitlisted_at",
            "checked_in_at",
        )
        # The person's details and their own words (the topic): mie_dx.people's rule.
        personal_fields = Registration.PERSONAL_FIELDS

    def dehydrate_email(self, registration: Registration) -> str:
        # A walk-in's (or an erased) address is a placeholder nobody can write to: left empty.
        return registration.email if registration.can_be_emailed else ""

    def dehydrate_wants_consultation(self, registration: Registration) -> str:
        return str(_("はい")) if registration.wants_consultation else ""

    def dehydrate_consultation_slot_at(self, registration: Registration) -> str:
        return _local(registration.consultation_slot_at)

    def dehydrate_registered_at(self, registration: Registration) -> str:
        return _local(registration.registered_at)

    def dehydrate_waitlisted_at(self, registration: Registration) -> str:
        return _local(registration.waitlisted_at)

    def dehydrate_checked_in_at(self, registration: Registration) -> str:
        return _local(registration.checked_in_at)
