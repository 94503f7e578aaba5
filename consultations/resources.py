"""The consultations export (the triage list as staff filtered it, for Excel) and the import
of support given outside the desk (`import_data support_records FILE`)."""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field

from consultations import selectors
from consultations.models import (
    Assignment,
    Consultation,
    SupportKind,
    SupportProgramme,
    SupportRecord,
)
from consultations.workflow import status_label
from mie_dx.importexport import (
    ImportValidationErrors,
    PortalResource,
    Row,
    cell_date,
    cell_text,
)
from mie_dx.people import Requester
from mie_dx.text import join_list
from mie_dx.users import acting_user

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations
    from import_export.instance_loaders import BaseInstanceLoader

    from consultations.selectors import ActiveAssignments


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

    def get_queryset(self) -> models.QuerySet[Consultation]:
        return selectors.consultations_for_triage()

    def dehydrate_created_at(self, consultation: Consultation) -> str:
        return timezone.localtime(consultation.created_at).strftime("%Y-%m-%d %H:%M")

    def dehydrate_status(
        self, consultation: "WithAnnotations[Consultation, ActiveAssignments]"
    ) -> str:
        # As the change list shows it: 「マッチング（依頼中）」 while an answer is awaited.
        return status_label(
            consultation.status,
            awaiting_answer=any(
                a.state == Assignment.State.PROPOSED for a in consultation.active_assignments
            ),
        )

    def dehydrate_supporters(
        self, consultation: "WithAnnotations[Consultation, ActiveAssignments]"
    ) -> str:
        # `active_assignments` is prefetched by selectors.consultations_for_triage().
        return join_list(a.supporter.name for a in consultation.active_assignments)


# --- Support given outside the desk (import_data support_records FILE, the admin) ------------

SUPPORTED_ON = "支援日"
ORGANIZATION = "支援先"
PROGRAMME = "事業"
KIND = "支援の種類"
NOTE = "備考"

DATE_FORMAT_HINT = _("日付は YYYY-MM-DD または YYYY/MM/DD で入力してください。")


class RequiredDateWidget(widgets.DateWidget):
    """A date as Excel stores it or as text YYYY-MM-DD / YYYY/MM/DD; exported YYYY-MM-DD."""

    def clean(self, value: object, row: Row | None = None, **kwargs: Any) -> date | None:
        if isinstance(value, date):
            return cell_date(value)
        if not cell_text(value):
            raise ValueError(gettext("空欄です。"))
        parsed = cell_date(value)
        if parsed is None:
            raise ValueError(str(DATE_FORMAT_HINT))
        return parsed

    def render(self, value: object, obj: models.Model | None = None, **kwargs: Any) -> object:
        if kwargs.get("force_native_type"):  # XLSX: a date cell
            return value if isinstance(value, date) else None
        return value.isoformat() if isinstance(value, date) else ""


class RequiredTextWidget(widgets.CharWidget):
    def clean(self, value: object, row: Row | None = None, **kwargs: Any) -> str:
        text = cell_text(value)
        if not text:
            raise ValueError(gettext("空欄です。"))
        return text


class TextWidget(widgets.CharWidget):
    def clean(self, value: object, row: Row | None = None, **kwargs: Any) -> str:
        return cell_text(value)


class ChoiceLabelWidget(widgets.Widget):
    """A choice written as its Japanese label (「空の移動革命」), the way a programme's
    spreadsheet names it; exported the same way, so an export imports again unchanged."""

    def __init__(self, choices: type[models.TextChoices], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices

    def _labels(self) -> dict[str, str]:
        # The column values are a data contract in Japanese, whatever the page's language.
        with translation.override("ja"):
            return {str(choice.label): choice.value for choice in self.choices}

    def clean(self, value: object, row: Row | None = None, **kwargs: Any) -> str:
        text = cell_text(value)
        labels = self._labels()
        if text in labels:
            return labels[text]
        if not text:
            raise ValueError(gettext("空欄です。"))
        raise ValueError(
            gettext("「%(value)s」は使えません。%(labels)s のいずれかを入力してください。")
            % {"value": text[:50], "labels": "、".join(f"「{label}」" for label in labels)}
        )

    def render(self, value: str, obj: models.Model | None = None, **kwargs: Any) -> str:
        by_value = {v: label for label, v in self._labels().items()}
        return by_value.get(value, "")

    def hint(self) -> str:
        return gettext("次のいずれか: %(labels)s") % {"labels": " / ".join(self._labels())}


class SupportRecordResource(PortalResource):
    """Columns (Japanese, a contract with the programmes' spreadsheets): 支援日, 支援先, 事業
    (スタートアップ支援 / 空の移動革命 / 先端技術 / その他), 支援の種類 (情報提供 / マッチング /
    事業計画への助言), 備考 (optional). A row is one support; the four first columns are its
    key: a file imported again changes nothing, a changed 備考 updates the record. All or
    nothing; no personal data (an organisation's name, never a person's)."""

    supported_on = Field("supported_on", SUPPORTED_ON, widget=RequiredDateWidget())
    organization = Field("organization", ORGANIZATION, widget=RequiredTextWidget())
    programme = Field("programme", PROGRAMME, widget=ChoiceLabelWidget(SupportProgramme))
    kind = Field("kind", KIND, widget=ChoiceLabelWidget(SupportKind))
    note = Field("note", NOTE, widget=TextWidget())

    KEY = ("supported_on", "organization", "programme", "kind")

    preview_identity_fields = ("supported_on", "organization")
    example_row = {
        "supported_on": "2026-05-01",
        "organization": "株式会社みえ見本",
        "programme": "スタートアップ支援",
        "kind": "情報提供",
        "note": "",
    }

    class Meta:
        model = SupportRecord
        fields = ("supported_on", "organization", "programme", "kind", "note")
        import_id_fields = ("supported_on", "organization", "programme", "kind")
        required_fields = ("supported_on", "organization", "programme", "kind")
        # Each row created or updated goes into the audit log (PortalResource.after_import_row
        # reads the row's instance), from `import_data` as from the admin.
        store_instance = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._seen: dict[tuple[object, ...], int] = {}  # each key's first line

    def get_queryset(self) -> models.QuerySet[SupportRecord]:
        return SupportRecord.objects.order_by("supported_on", "pk")

    def get_instance(self, instance_loader: "BaseInstanceLoader", row: Row) -> SupportRecord | None:
        try:
            key = {name: self.fields[name].clean(row) for name in self.KEY}
        except (ValueError, KeyError):
            return None  # import_instance reports the column and the reason
        return SupportRecord.objects.filter(**key).first()

    def import_instance(self, instance: SupportRecord, row: Row, **kwargs: Any) -> None:
        errors: ImportValidationErrors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "supported_on" not in errors and instance.supported_on > timezone.localdate():
            errors["supported_on"] = [ValidationError(gettext("未来の日付は指定できません。"))]
        if not errors:
            line = kwargs.get("row_number", 0) + 1
            key = tuple(getattr(instance, name) for name in self.KEY)
            if key in self._seen:
                errors[NON_FIELD_ERRORS] = [
                    ValidationError(
                        gettext("支援日・支援先・事業・支援の種類が %(line)s行目と同じです。")
                        % {"line": self._seen[key]}
                    )
                ]
            else:
                self._seen[key] = line
        if instance.pk is None:
            instance.recorded_by = acting_user(self.user)
            instance.recorded_at = timezone.now()
        if errors:
            raise ValidationError(errors)
