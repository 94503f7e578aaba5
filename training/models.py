"""Staff DX training (DX人材育成, seed §6): the roster, the yearly plan, enrolments and
completions, DX推進スペシャリスト certification, municipal observers, specialists'
initiatives and デジタル活用推進員 appointments.

Writes go through training.services; reads for pages through training.selectors.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mie_dx.fiscal import FiscalYearField
from mie_dx.models import Division
from mie_dx.municipalities import Municipality


class Stage(models.TextChoices):
    """Career stage (階層): who must take which 階層別研修."""

    NEW_HIRE = "new_hire", _("新規採用")
    YEAR_5 = "year_5", _("採用5年目")
    NEW_CHIEF = "new_chief", _("新任主任")
    NEW_SUBSECTION_HEAD = "new_subsection_head", _("新任係長")
    NEW_TEAM_LEADER = "new_team_leader", _("新任班長")
    NEW_DIVISION_HEAD = "new_division_head", _("新任所属長")
    OTHER = "other", _("その他")


# The roster's 階層 column holds the Japanese names (spec): a contract, never translated.
STAGE_BY_IMPORT_NAME = {
    "新規採用": Stage.NEW_HIRE,
    "採用5年目": Stage.YEAR_5,
    "新任主任": Stage.NEW_CHIEF,
    "新任係長": Stage.NEW_SUBSECTION_HEAD,
    "新任班長": Stage.NEW_TEAM_LEADER,
    "新任所属長": Stage.NEW_DIVISION_HEAD,
    "その他": Stage.OTHER,
}
IMPORT_NAME_BY_STAGE = {value: name for name, value in STAGE_BY_IMPORT_NAME.items()}


class Staff(models.Model):
    """A prefecture staff member (職員). Personal data: name, kana, e-mail."""

    employee_number = models.CharField(_("職員番号"), max_length=20, unique=True)
    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("フリガナ"), max_length=100, blank=True)
    division = models.ForeignKey(
        Division, verbose_name=_("所属"), on_delete=models.PROTECT, related_name="training_staff"
    )
    stage = models.CharField(_("階層"), max_length=30, choices=Stage, default=Stage.OTHER)
    email = models.EmailField(_("メールアドレス"), blank=True)
    is_active = models.BooleanField(_("在職"), default=True)
    is_sample = models.BooleanField(
        _("サンプルデータ"), default=False, help_text=_("デモ用に生成した架空の職員です。")
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    PERSONAL_FIELDS = ("name", "name_kana", "email")

    class Meta:
        verbose_name = _("職員")
        verbose_name_plural = _("職員")
        ordering = ["employee_number"]
        permissions = [("view_personal_data", _("職員の個人情報（氏名等）を閲覧できる"))]
        indexes = [models.Index(fields=["stage", "is_active"])]

    def __str__(self) -> str:
        # No name: managers reach staff rows through enrolments and appointments.
        return str(self.employee_number)


class Course(models.Model):
    class Category(models.TextChoices):
        SPECIALIST = "specialist", _("スペシャリスト研修")
        SPECIALIST_TRAINING = "specialist_training", _("養成研修")
        PROMOTER = "promoter", _("推進員研修")
        STAGE = "stage", _("階層別研修")
        WORKPLACE = "workplace", _("職場内DX研修")
        EXECUTIVE = "executive", _("幹部研修")
        SPECIALISED = "specialised", _("業務別・専門研修")

    class Delivery(models.TextChoices):
        ELEARNING = "elearning", _("e-ラーニング")
        ONLINE = "online", _("オンライン")
        ONSITE = "onsite", _("集合研修")
        VIDEO_DISCUSSION = "video_discussion", _("動画視聴＋意見交換")

    code = models.CharField(_("研修コード"), max_length=30, unique=True)
    name = models.CharField(_("研修名"), max_length=200)
    category = models.CharField(_("区分"), max_length=30, choices=Category.choices)
    delivery = models.CharField(_("実施方法"), max_length=30, choices=Delivery.choices)
    is_mandatory = models.BooleanField(
        _("必修"), default=True, help_text=_("オフは希望者研修です。")
    )
    target_stages = models.JSONField(
        _("対象階層"),
        default=list,
        blank=True,
        help_text=_("必修研修の自動登録の対象となる階層（空欄は自動登録しません）。"),
    )
    audience = models.CharField(_("対象者"), max_length=200, blank=True)
    summary = models.TextField(_("概要"), blank=True)
    ordering = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("研修")
        verbose_name_plural = _("研修")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def stage_labels(self) -> list[str]:
        return [str(Stage(s).label) for s in self.target_stages if s in Stage.values]


class CourseRun(models.Model):
    """A course's session or period in a fiscal year (受講期間 or 実施日)."""

    course = models.ForeignKey(
        Course, verbose_name=_("研修"), on_delete=models.PROTECT, related_name="runs"
    )
    fiscal_year = FiscalYearField(_("年度"))
    label = models.CharField(_("回・期間の名称"), max_length=100, blank=True)
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"))
    stages = models.JSONField(
        _("この期間の対象階層"),
        default=list,
        blank=True,
        help_text=_("空欄は研修の対象階層すべて。"),
    )

    class Meta:
        verbose_name = _("研修の実施期間")
        verbose_name_plural = _("研修の実施期間")
        ordering = ["fiscal_year", "course__ordering", "course__code", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="training_run_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course.code} {self.fiscal_year} {self.label}".strip()


class StagePeriod(models.Model):
    """A row of the e-learning content × stage matrix's header: a stage's planned headcount
    and its 受講期間 in a fiscal year (新規採用 has two)."""

    fiscal_year = FiscalYearField(_("年度"))
    stage = models.CharField(_("階層"), max_length=30, choices=Stage)
    headcount = models.PositiveIntegerField(_("予定人数"))
    label = models.CharField(_("期間"), max_length=50)
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"))

    class Meta:
        verbose_name = _("階層別の受講期間")
        verbose_name_plural = _("階層別の受講期間")
        ordering = ["fiscal_year", "stage", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "stage", "starts_on"], name="training_stage_period_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.get_stage_display()} {self.label}"


class Enrolment(models.Model):
    """Who must take (or chose) which course in a fiscal year, and when it was completed.

    `division` and `stage` are kept as they were at enrolment: a member of staff who moves
    mid-year keeps what was done where it was done.
    """

    staff = models.ForeignKey(
        Staff, verbose_name=_("職員"), on_delete=models.PROTECT, related_name="enrolments"
    )
    run = models.ForeignKey(
        CourseRun, verbose_name=_("実施期間"), on_delete=models.PROTECT, related_name="enrolments"
    )
    course = models.ForeignKey(
        Course, verbose_name=_("研修"), on_delete=models.PROTECT, related_name="enrolments"
    )
    fiscal_year = FiscalYearField(_("年度"))
    division = models.ForeignKey(
        Division, verbose_name=_("受講時の所属"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(_("受講時の階層"), max_length=30, choices=Stage)
    is_mandatory = models.BooleanField(_("必修"), default=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    enrolled_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    completed_on = models.DateField(_("修了日"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("督促日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("受講登録")
        verbose_name_plural = _("受講登録")
        ordering = ["fiscal_year", "course__code", "staff__employee_number"]
        # The office's pages (/training/): figures for managers, names only with
        # Staff's view_personal_data. Viewing the enrolments themselves (a person's course and
        # dates) is view_enrolment, which managers do not have.
        permissions = [("view_figures", _("研修の集計（/training/）を閲覧できる"))]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "course", "fiscal_year"], name="training_enrolment_once_a_year"
            )
        ]
        indexes = [models.Index(fields=["fiscal_year", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.staff.employee_number} / {self.course.code} / {self.fiscal_year}"


class SpecialistCertification(models.Model):
    """A DX推進スペシャリスト, certified by completing the 養成研修 in a fiscal year."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("職員"), on_delete=models.PROTECT, related_name="certifications"
    )
    fiscal_year = FiscalYearField(_("認定年度"))
    certified_on = models.DateField(_("認定日"))
    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("養成研修の受講"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certification",
    )

    class Meta:
        verbose_name = _("DX推進スペシャリスト認定")
        verbose_name_plural = _("DX推進スペシャリスト認定")
        ordering = ["fiscal_year", "staff__employee_number"]
        constraints = [models.UniqueConstraint(fields=["staff"], name="training_certified_once")]

    def __str__(self) -> str:
        return f"{self.staff.employee_number} ({self.fiscal_year})"


class MunicipalObserver(models.Model):
    """A 市町 officer taking part in the 養成研修 as an observer: never certified."""

    fiscal_year = FiscalYearField(_("年度"))
    name = models.CharField(_("氏名"), max_length=100)
    municipality = models.CharField(_("市町"), max_length=20, choices=Municipality.choices)
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    PERSONAL_FIELDS = ("name",)

    class Meta:
        verbose_name = _("市町オブザーバー")
        verbose_name_plural = _("市町オブザーバー")
        ordering = ["fiscal_year", "municipality", "pk"]

    def __str__(self) -> str:
        return f"{self.get_municipality_display()} ({self.fiscal_year})"


class Initiative(models.Model):
    """A business-improvement initiative (業務改善等の取組) with specialists taking part:
    what KPI 行政運営6 a counts."""

    title = models.CharField(_("取組名"), max_length=200)
    division = models.ForeignKey(
        Division, verbose_name=_("所属"), on_delete=models.PROTECT, related_name="+"
    )
    specialists = models.ManyToManyField(
        Staff, verbose_name=_("参加したスペシャリスト"), related_name="initiatives"
    )
    date = models.DateField(_("実施日"))
    outcome = models.TextField(_("成果"), blank=True)
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    class Meta:
        verbose_name = _("業務改善等の取組")
        verbose_name_plural = _("業務改善等の取組")
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return self.title


class PromoterAppointment(models.Model):
    """A デジタル活用推進員 of a division for a fiscal year: one primary (正), at least one
    secondary (副)."""

    class Role(models.TextChoices):
        PRIMARY = "primary", _("正（主担当）")
        SECONDARY = "secondary", _("副（副担当）")

    division = models.ForeignKey(
        Division,
        verbose_name=_("所属"),
        on_delete=models.PROTECT,
        related_name="promoter_appointments",
    )
    fiscal_year = FiscalYearField(_("年度"))
    role = models.CharField(_("区分"), max_length=10, choices=Role.choices)
    staff = models.ForeignKey(
        Staff, verbose_name=_("職員"), on_delete=models.PROTECT, related_name="appointments"
    )

    class Meta:
        verbose_name = _("デジタル活用推進員")
        verbose_name_plural = _("デジタル活用推進員")
        ordering = ["fiscal_year", "division__code", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "fiscal_year", "staff"], name="training_promoter_once"
            ),
            models.UniqueConstraint(
                fields=["division", "fiscal_year"],
                condition=models.Q(role="primary"),
                name="training_one_primary_promoter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division.code} {self.fiscal_year} {self.get_role_display()}"

    def validate_constraints(self, exclude=None):
        # A second primary is no mistake to refuse: training.services.appoint_promoter
        # replaces the former one (the constraint keeps one in the database).
        super().validate_constraints(exclude={*(exclude or ()), "role"})
