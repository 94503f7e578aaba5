"""Import and export of the joint initiatives with the municipalities
(`import_data joint_initiatives FILE`, the admin).

Columns (Japanese, as the center's spreadsheets write them): 管理番号, 取組名, 開始年度 (R3,
令和3年度 or 2021), 種類 (共同調達 / 情報システムの標準化 / 業務改善 / 情報基盤 / 情報提供・研修 /
その他), 参加市町 (the municipalities' names separated by 、 or , — at least two), and the
optional 場 (三重県・市町DX推進協議会, or the name of another forum), 状態 (実施中 / 完了 / 休止),
概要, 成果, 資料 (URLs, one a line or separated by spaces), 公開 (1 / 0). Rows are created or
updated by 管理番号; an optional column missing from the file leaves what is recorded.

Each row is saved through `procedures.services.save_initiative` (its rules — two or more
municipalities — and its log), in the import's one all-or-nothing transaction.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field

from mie_dx.fiscal import REIWA_OFFSET
from mie_dx.importexport import (
    FlagWidget,
    LabelChoiceWidget,
    PortalResource,
    TextWidget,
    cell_text,
)
from mie_dx.users import acting_user
from procedures import services
from procedures.models import PARTICIPANT_MUNICIPALITIES, JointInitiative

CODE = "管理番号"
TITLE = "取組名"
STARTED = "開始年度"
KIND = "種類"
MUNICIPALITIES = "参加市町"
FORUM = "場"
STATUS = "状態"
SUMMARY = "概要"
OUTCOME = "成果"
DOCUMENTS = "資料"
PUBLIC = "公開"

COUNCIL = "三重県・市町DX推進協議会"
# The labels in Japanese whatever the language of the request: a file's cells are a contract.
with translation.override("ja"):
    KINDS = {str(label): value for value, label in JointInitiative.Kind.choices}
    STATUSES = {str(label): value for value, label in JointInitiative.Status.choices}
    # 「津市」 → "tsu".
    NAMES = {str(label): value for value, label in PARTICIPANT_MUNICIPALITIES}
NAMES_BY_VALUE = {value: name for name, value in NAMES.items()}
SEPARATORS = re.compile(r"[、,，・/／\s]+")
YEAR_RE = re.compile(r"^(?:[RrＲｒ]|令和)([0-9０-９]{1,2})(?:年度)?$")
DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

TRACKED = (
    "title",
    "fiscal_year_started",
    "kind",
    "forum",
    "forum_note",
    "status",
    "summary",
    "outcome",
    "document_links",
    "is_public",
)


class StartYearWidget(widgets.Widget):
    """開始年度: R3, 令和3年度 or 2021 → 2021."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int:
        text = cell_text(value).translate(DIGITS).removesuffix(".0")
        match = YEAR_RE.match(text)
        if match:
            return REIWA_OFFSET + int(match.group(1).translate(DIGITS))
        if text.isdigit() and len(text) == 4:
            return int(text)
        raise ValueError(gettext("R3、令和3年度、2021 のように入力してください。"))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else f"R{value - REIWA_OFFSET}"


class MunicipalitiesWidget(widgets.Widget):
    """参加市町: names of the portal's municipalities separated by 、 or , (any order)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[str]:
        names = [name for name in SEPARATORS.split(cell_text(value)) if name]
        unknown = [name for name in names if name not in NAMES]
        if unknown:
            raise ValueError(
                gettext("三重県内の市町名ではありません: %(names)s") % {"names": "、".join(unknown)}
            )
        return list(dict.fromkeys(NAMES[name] for name in names))


class MunicipalitiesField(Field):
    """Kept on the instance for the service, which saves the rows of the municipalities."""

    def save(self, instance: Any, row: Any, is_m2m: bool = False, **kwargs: Any) -> None:
        instance._imported_municipalities = self.clean(row, **kwargs)


class ForumField(Field):
    """場: 三重県・市町DX推進協議会, or another forum's name (then 「その他」 with that name)."""

    def save(self, instance: Any, row: Any, is_m2m: bool = False, **kwargs: Any) -> None:
        text = self.clean(row, **kwargs)
        if not text or text == COUNCIL:
            instance.forum, instance.forum_note = JointInitiative.Forum.COUNCIL, ""
        else:
            instance.forum, instance.forum_note = JointInitiative.Forum.OTHER, text


class DocumentsWidget(TextWidget):
    """資料: URLs one a line (or separated by spaces), stored one a line."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        return "\n".join(cell_text(value).split())


class StatusWidget(LabelChoiceWidget):
    """状態: 実施中 / 完了 / 休止; a blank cell is 実施中."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        if not cell_text(value):
            return JointInitiative.Status.IN_PROGRESS
        return super().clean(value, row, **kwargs)


class JointInitiativeResource(PortalResource):
    code = Field("code", CODE, widget=TextWidget(required=True, max_length=30))
    title = Field("title", TITLE, widget=TextWidget(required=True, max_length=200))
    started = Field("fiscal_year_started", STARTED, widget=StartYearWidget())
    kind = Field(
        "kind",
        KIND,
        widget=LabelChoiceWidget(KINDS, message=_("%(choices)s のいずれかを入力してください。")),
    )
    municipalities = MunicipalitiesField(
        attribute="_imported_municipalities",
        column_name=MUNICIPALITIES,
        widget=MunicipalitiesWidget(),
    )
    forum = ForumField("forum", FORUM, widget=TextWidget(max_length=200))
    status = Field(
        "status",
        STATUS,
        widget=StatusWidget(
            STATUSES, message=_("%(choices)s のいずれかを入力してください（空欄は実施中）。")
        ),
    )
    summary = Field("summary", SUMMARY, widget=TextWidget())
    outcome = Field("outcome", OUTCOME, widget=TextWidget())
    documents = Field("document_links", DOCUMENTS, widget=DocumentsWidget())
    public = Field(
        "is_public", PUBLIC, widget=FlagWidget(message=_("1（公開）または0を入力してください。"))
    )

    class Meta:
        model = JointInitiative
        fields = (
            "code",
            "title",
            "started",
            "kind",
            "municipalities",
            "forum",
            "status",
            "summary",
            "outcome",
            "documents",
            "public",
        )
        import_id_fields = ("code",)
        required_fields = ("code", "title", "started", "kind", "municipalities")
        # The service checks each row as a whole and logs it.
        clean_model_instances = False
        audit_rows = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._unchanged: set[int] = set()

    # --- Export ----------------------------------------------------------------------------

    def get_queryset(self):
        return JointInitiative.objects.prefetch_related("participants").order_by("code")

    def dehydrate_municipalities(self, initiative: JointInitiative) -> str:
        if initiative.pk is None:  # a new row's "before", for the preview's diff
            return ""
        return "、".join(NAMES_BY_VALUE[p.municipality] for p in initiative.participants.all())

    def dehydrate_forum(self, initiative: JointInitiative) -> str:
        if initiative.forum == JointInitiative.Forum.OTHER:
            return initiative.forum_note
        return COUNCIL

    # --- Import ----------------------------------------------------------------------------

    def get_instance(self, instance_loader: Any, row: Any) -> JointInitiative | None:
        code = cell_text(row.get(CODE))
        if not code:
            return None
        return JointInitiative.objects.prefetch_related("participants").filter(code=code).first()

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        line = kwargs.get("row_number", 0) + 1
        before = None
        if instance.pk:
            before = (
                {name: getattr(instance, name) for name in TRACKED},
                {p.municipality for p in instance.participants.all()},
            )
        errors: dict[str, list] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        earlier = self.earlier_line_of(cell_text(row.get(CODE)), line)
        if earlier is not None:
            errors.setdefault("code", []).append(
                gettext("同じ管理番号が %(line)s行目にもあります。") % {"line": earlier}
            )
        if errors:
            raise ValidationError(errors)
        if before is not None:
            after = (
                {name: getattr(instance, name) for name in TRACKED},
                set(getattr(instance, "_imported_municipalities", before[1])),
            )
            if after == before:
                self._unchanged.add(instance.pk)
            else:
                self._unchanged.discard(instance.pk)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        return instance.pk in self._unchanged

    def do_instance_save(self, instance: Any, is_create: bool) -> None:
        municipalities = getattr(instance, "_imported_municipalities", None)
        if municipalities is None:
            municipalities = [p.municipality for p in instance.participants.all()]
        try:
            services.save_initiative(
                initiative=instance, municipalities=municipalities, by=acting_user(self.user)
            )
        except ValidationError as error:
            raise self.errors_by_column(error) from error
