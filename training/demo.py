"""Demo data: the R4 (FY2022) training plan from the seed (§6, 別紙3), and a generated,
clearly marked (`is_sample`) roster of 1,000 staff with sample progress; the same plan moved
to the current fiscal year with progress up to today (generated), R4 kept as history.

Real (from the seed): every course, its category, delivery, audience and period; the
e-learning content × stage matrix with its planned headcounts and periods; the monthly
schedule; the DX推進スペシャリスト numbers (14 certified by the end of R3; 23 prefecture staff
and 12 municipal observers in R4's 養成研修). Generated (is_sample / 【サンプル】): staff, their
enrolments' completions, promoters, who the specialists and trainees are and the days they
were certified, municipal observers' names, initiatives (KPI 行政運営6 a counts those with a
specialist certified by the initiative's date: 17 of the 21 sample initiatives of R4).
"""

import calendar
import random
from datetime import date

from django.db import transaction
from django.utils import timezone

from mie_dx.demo import SAMPLE_PREFIX, create_missing
from mie_dx.fiscal import fiscal_year, fiscal_year_short
from mie_dx.models import Division
from mie_dx.municipalities import Municipality
from training import services
from training.models import (
    Course,
    CourseRun,
    Enrolment,
    Initiative,
    MunicipalObserver,
    PromoterAppointment,
    Staff,
    Stage,
    StagePeriod,
)

FY = 2022  # 令和4年度
C = Course.Category
D = Course.Delivery
S = Stage


def month(year: int, first: int, last: int | None = None, last_year: int | None = None):
    last = last or first
    last_year = last_year or year
    return date(year, first, 1), date(last_year, last, calendar.monthrange(last_year, last)[1])


# The matrix's header: stage, planned headcount, periods (seed: 階層別研修).
STAGE_PERIODS = [
    (S.NEW_HIRE, 210, "① 4-7月", month(FY, 4, 7)),
    (S.NEW_HIRE, 210, "② 8-11月", month(FY, 8, 11)),
    (S.YEAR_5, 100, "12-3月", month(FY, 12, 3, FY + 1)),
    (S.NEW_CHIEF, 120, "8-11月", month(FY, 8, 11)),
    (S.NEW_SUBSECTION_HEAD, 240, "8-11月", month(FY, 8, 11)),
    (S.NEW_TEAM_LEADER, 170, "4-7月", month(FY, 4, 7)),
    (S.NEW_DIVISION_HEAD, 100, "4-7月", month(FY, 4, 7)),
]

# The e-learning contents and the stages that take them (the matrix's ●).
ELEARNING = [
    (
        "EL01",
        "DXの基礎（DX基本研修）",
        [
            S.NEW_HIRE,
            S.YEAR_5,
            S.NEW_CHIEF,
            S.NEW_SUBSECTION_HEAD,
            S.NEW_TEAM_LEADER,
            S.NEW_DIVISION_HEAD,
        ],
    ),
    ("EL02", "WBSの活用（WBS活用研修）", [S.NEW_HIRE]),
    (
        "EL03",
        "庁内で利用できる、RPA等のデジタルツール活用方法（デジタルツール活用研修）",
        [S.YEAR_5, S.NEW_CHIEF],
    ),
    (
        "EL04",
        "サービスデザイン思考（サービスデザイン思考研修）",
        [S.YEAR_5, S.NEW_CHIEF, S.NEW_SUBSECTION_HEAD],
    ),
    (
        "EL05",
        "デジタル技術活用のためのプロジェクトマネジメント入門",
        [S.NEW_SUBSECTION_HEAD, S.NEW_TEAM_LEADER, S.NEW_DIVISION_HEAD],
    ),
    (
        "EL06",
        "心理的安全性（デジタルツール活用のための心理的安全性研修）",
        [S.NEW_TEAM_LEADER, S.NEW_DIVISION_HEAD],
    ),
    (
        "EL07",
        "セキュリティ（新規採用職員・新任班長セキュリティ研修、新任情報セキュリティ管理者研修）",
        [S.NEW_HIRE, S.NEW_TEAM_LEADER, S.NEW_DIVISION_HEAD],
    ),
]

ALL_STAGES = list(Stage.values)

# (code, name, category, delivery, mandatory, target stages, audience, runs[(label, (start, end))])
COURSES = [
    (
        "SP01",
        "DX推進スペシャリスト研修",
        C.SPECIALIST,
        D.ONLINE,
        False,
        [],
        "DX推進スペシャリスト",
        [("R4キックオフ", month(FY, 4))]
        + [
            (f"定例学習会（{m}月）", month(FY if m >= 4 else FY + 1, m))
            for m in (5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
        ],
    ),
    (
        "SP02",
        "DX推進スペシャリスト養成研修",
        C.SPECIALIST_TRAINING,
        D.ONLINE,
        False,
        [],
        "DX推進スペシャリスト研修生（公募）",
        [
            ("キックオフ〜成果報告（5月〜3月）", month(FY, 5, 3, FY + 1)),
            ("キックオフ", month(FY, 5)),
            ("ワークショップ1", month(FY, 6)),
            ("ワークショップ2", month(FY, 7)),
            ("ワークショップ3", month(FY, 8)),
            ("ワークショップ4", month(FY, 9)),
            ("e-learning受講期間", month(FY, 10)),
            ("部長会議にて成果報告", month(FY + 1, 1)),
        ],
    ),
    (
        "PR01",
        "デジタル活用推進員基礎研修",
        C.PROMOTER,
        D.ONLINE,
        True,
        [],
        "デジタル活用推進員主担当・副担当",
        [("第一回研修（基礎研修）5月中旬〜下旬", (date(FY, 5, 16), date(FY, 5, 31)))],
    ),
    (
        "PR02",
        "デジタル活用推進員フォローアップ研修",
        C.PROMOTER,
        D.ONLINE,
        True,
        [],
        "デジタル活用推進員主担当・副担当",
        [("第二回研修（フォローアップ研修）9月", month(FY, 9))],
    ),
    (
        "WP01",
        "職場内DX研修",
        C.WORKPLACE,
        D.VIDEO_DISCUSSION,
        True,
        ALL_STAGES,
        "全職員",
        [("受講期間 9月〜2月", month(FY, 9, 2, FY + 1))],
    ),
    (
        "EX01",
        "新任部長デジタルツールサポート",
        C.EXECUTIVE,
        D.ONSITE,
        True,
        [],
        "新任部長",
        [("4月", month(FY, 4))],
    ),
    (
        "EX02",
        "幹部向けDXトップセミナー",
        C.EXECUTIVE,
        D.ONLINE,
        True,
        [],
        "部局長",
        [("8月以降", month(FY, 8))],
    ),
    (
        "SE01",
        "セキュリティ研修（全職員向け）",
        C.SPECIALISED,
        D.ELEARNING,
        True,
        ALL_STAGES,
        "全職員",
        [("2月（サイバーセキュリティ強化月間）", month(FY + 1, 2))],
    ),
    (
        "SE02",
        "電子申請届出システム(新)操作研修",
        C.SPECIALISED,
        D.ONLINE,
        False,
        [],
        "希望者",
        [("8月〜11月", month(FY, 8, 11))],
    ),
    (
        "SE03",
        "RPA研修",
        C.SPECIALISED,
        D.ONSITE,
        False,
        [],
        "希望者",
        [("10月〜12月", month(FY, 10, 12))],
    ),
    ("SE04", "M-GIS操作研修", C.SPECIALISED, D.ONSITE, False, [], "希望者（日程未定）", []),
    (
        "SE05",
        "高機能GISソフト(SIS)の操作研修",
        C.SPECIALISED,
        D.ONSITE,
        False,
        [],
        "希望者（日程未定）",
        [],
    ),
    ("SE06", "Zoom操作研修", C.SPECIALISED, D.ONLINE, False, [], "希望者（日程未定）", []),
    (
        "SE07",
        "J-LIS研修",
        C.SPECIALISED,
        D.ELEARNING,
        False,
        [],
        "希望者",
        [("J-LISセキュリティ研修 10月", month(FY, 10))],
    ),
    (
        "SE08",
        "DX推進基盤研修(仮)",
        C.SPECIALISED,
        D.ONLINE,
        False,
        [],
        "希望者",
        [("12月〜3月", month(FY, 12, 3, FY + 1))],
    ),
]

SURNAMES = [
    "伊藤",
    "鈴木",
    "田中",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐藤",
    "森",
    "西村",
]
GIVEN = ["太郎", "花子", "健", "美咲", "翔", "由美", "大輔", "彩", "誠", "愛", "直樹", "恵"]
SAMPLE_ROSTER = [
    (S.NEW_HIRE, 210),
    (S.YEAR_5, 100),
    (S.NEW_CHIEF, 120),
    (S.NEW_SUBSECTION_HEAD, 240),
    (S.NEW_TEAM_LEADER, 170),
    (S.NEW_DIVISION_HEAD, 100),
    (S.OTHER, 60),
]


@transaction.atomic
def load_training_plan() -> dict[str, int]:
    counts = {"courses": 0, "runs": 0, "stage_periods": 0, "staff": 0, "enrolments": 0}
    for stage, headcount, label, (start, end) in STAGE_PERIODS:
        _obj, created = create_missing(
            StagePeriod,
            {"fiscal_year": FY, "stage": stage, "starts_on": start},
            {"headcount": headcount, "label": label, "ends_on": end},
        )
        counts["stage_periods"] += created
    order = 0
    for code, name, stages in ELEARNING:
        order += 1
        course, created = create_missing(
            Course,
            {"code": code},
            {
                "name": name,
                "category": C.STAGE,
                "delivery": D.ELEARNING,
                "is_mandatory": True,
                "target_stages": [str(s) for s in stages],
                "audience": "、".join(str(s.label) for s in stages),
                "summary": "動画、資料配布による自己学習",
                "ordering": 10 + order,
            },
        )
        counts["courses"] += created
        periods: dict[tuple, list[str]] = {}
        for stage, _n, label, bounds in STAGE_PERIODS:
            if stage in stages:
                periods.setdefault((bounds, label.lstrip("①② ")), []).append(str(stage))
        for (bounds, label), run_stages in periods.items():
            counts["runs"] += _run(course, label, bounds, run_stages)
    for code, name, category, delivery, mandatory, target_stages, audience, runs in COURSES:
        order += 1
        course, created = create_missing(
            Course,
            {"code": code},
            {
                "name": name,
                "category": category,
                "delivery": delivery,
                "is_mandatory": mandatory,
                "target_stages": [str(s) for s in target_stages],
                "audience": audience,
                "ordering": 10 + order if category != C.STAGE else order,
            },
        )
        counts["courses"] += created
        for label, bounds in runs:
            counts["runs"] += _run(course, label, bounds, [])
    counts.update(_sample_people())
    counts.update(_current_year())
    return counts


def _shifted(day: date, years: int) -> date:
    """`day` the same day `years` later (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _current_year() -> dict[str, int]:
    """This fiscal year's plan and sample progress (generated), so that every training page
    has live figures: the R4 plan's periods and runs moved to this year (R4 stays as history),
    the sample staff enrolled, the R4 promoters appointed again, and completions by today —
    some periods still running, some ended with people who have not finished (overdue).
    Nothing when this fiscal year is R4 or earlier; the progress is made once."""
    today = timezone.localdate()
    current = fiscal_year(today)
    counts = {"current_year_runs": 0, "current_year_enrolments": 0}
    years = current - FY
    if years <= 0:
        return counts
    for period in StagePeriod.objects.filter(fiscal_year=FY):
        create_missing(
            StagePeriod,
            {
                "fiscal_year": current,
                "stage": period.stage,
                "starts_on": _shifted(period.starts_on, years),
            },
            {
                "headcount": period.headcount,
                "label": period.label,
                "ends_on": _shifted(period.ends_on, years),
            },
        )
    r4, this_year = fiscal_year_short(FY), fiscal_year_short(current)
    for run in CourseRun.objects.filter(fiscal_year=FY).select_related("course"):
        _obj, created = create_missing(
            CourseRun,
            {
                "course": run.course,
                "fiscal_year": current,
                "label": run.label.replace(r4, this_year),
            },
            {
                "starts_on": _shifted(run.starts_on, years),
                "ends_on": _shifted(run.ends_on, years),
                "stages": run.stages,
            },
        )
        counts["current_year_runs"] += int(created)
    sample = Enrolment.objects.filter(fiscal_year=current, staff__is_sample=True)
    if sample.exists() or not Staff.objects.filter(is_sample=True).exists():
        return counts
    counts["current_year_enrolments"] = services.auto_enrol(fiscal_year=current)
    for appointment in PromoterAppointment.objects.filter(fiscal_year=FY).select_related(
        "division", "staff"
    ):
        services.appoint_promoter(
            division=appointment.division,
            fiscal_year=current,
            role=appointment.role,
            staff=appointment.staff,
            by=None,
        )
    counts["current_year_enrolments"] += services.enrol_promoters(fiscal_year=current)
    _sample_completions(random.Random(current), fiscal_year=current, today=today)  # noqa: S311
    return counts


def _run(course: Course, label: str, bounds: tuple[date, date], stages: list[str]) -> int:
    _obj, created = create_missing(
        CourseRun,
        {"course": course, "fiscal_year": FY, "label": label},
        {"starts_on": bounds[0], "ends_on": bounds[1], "stages": stages},
    )
    return int(created)


def _sample_people() -> dict[str, int]:
    """1,000 generated staff (once), their R4 enrolments and sample progress."""
    counts = {"staff": 0, "enrolments": 0}
    if Staff.objects.filter(is_sample=True).exists():
        return counts
    divisions = list(Division.objects.in_fiscal_year(FY).order_by("code"))
    if not divisions:
        return counts
    rng = random.Random(2022)  # noqa: S311 - sample data, not security
    staff, number = [], 0
    for stage, headcount in SAMPLE_ROSTER:
        for _i in range(headcount):
            number += 1
            staff.append(
                Staff(
                    employee_number=f"S{number:05d}",
                    name=f"{SAMPLE_PREFIX}{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                    name_kana="サンプル",
                    division=divisions[number % len(divisions)],
                    stage=stage,
                    email=f"staff{number:05d}@example.com",
                    is_sample=True,
                )
            )
    Staff.objects.bulk_create(staff, batch_size=1000)
    counts["staff"] = len(staff)
    counts["enrolments"] = services.auto_enrol(fiscal_year=FY)

    _sample_completions(rng)

    r3_specialists, r4_specialists = _sample_specialists()
    municipalities = list(Municipality)
    for i in range(12):  # seed: 12 municipal observers in R4 (names generated)
        MunicipalObserver.objects.create(
            fiscal_year=FY,
            name=f"{SAMPLE_PREFIX}オブザーバー{i + 1:02d}",
            municipality=municipalities[i % len(municipalities)],
            is_sample=True,
        )
    # Promoters: a primary and a secondary in every division but the last two (gaps shown).
    by_division: dict[int, list[Staff]] = {}
    for member in Staff.objects.filter(is_sample=True, stage=S.OTHER).order_by("pk"):
        by_division.setdefault(member.division_id, []).append(member)
    for member in Staff.objects.filter(is_sample=True).exclude(stage=S.OTHER).order_by("pk"):
        by_division.setdefault(member.division_id, []).append(member)
    for index, division in enumerate(divisions):
        people = by_division.get(division.pk, [])
        roles = [PromoterAppointment.Role.PRIMARY, PromoterAppointment.Role.SECONDARY]
        if index == len(divisions) - 1:
            roles = [PromoterAppointment.Role.PRIMARY]
        elif index == len(divisions) - 2:
            roles = [PromoterAppointment.Role.SECONDARY]
        for role, member in zip(roles, people, strict=False):
            services.appoint_promoter(
                division=division, fiscal_year=FY, role=role, staff=member, by=None
            )
    services.enrol_promoters(fiscal_year=FY)
    _sample_completions(rng)
    _sample_initiatives(r3_specialists, r4_specialists)
    return counts


# DX推進スペシャリスト (seed §6): 14 certified by the end of R3; in R4 23 prefecture staff (and 12
# municipal observers, never certified) take the 養成研修, certified on completing it. Who they
# are and the days are sample data: the seed gives the numbers only.
R3_SPECIALISTS = 14
R4_TRAINEES = 23
R3_CERTIFIED_ON = date(FY, 3, 18)  # the end of R3's 養成研修 (sample day)
R4_CERTIFIED_ON = date(FY + 1, 1, 20)  # after the 成果報告 at the 部長会議 in January (sample)

# Sample initiatives of R4 (title, date, which specialists: ("r3" | "r4", index), ...).
# The R3 specialists each take part in one at least (the plan assumes ≥1 a year); the R4
# trainees' group work before their certification is recorded but not counted by the KPI.
R4_INITIATIVES: list[tuple[str, date, list[tuple[str, int]]]] = [
    ("RPAによる給与支払報告書の照合作業の自動化", date(FY, 5, 20), [("r3", 0), ("r3", 12)]),
    (
        "Web会議とチャットによる出先機関との定例会議のペーパーレス化",
        date(FY, 6, 10),
        [("r3", 1), ("r3", 13)],
    ),
    ("電子申請による補助金の実績報告の受付", date(FY, 6, 28), [("r3", 2)]),
    ("ノーコードツールによる現地調査の記録アプリ", date(FY, 7, 15), [("r3", 3)]),
    ("問合せ対応のFAQのデータ化と公開", date(FY, 8, 5), [("r3", 4), ("r3", 5)]),
    ("統計データの可視化ダッシュボード", date(FY, 9, 1), [("r3", 5)]),
    ("紙の台帳のクラウド共有化", date(FY, 9, 26), [("r3", 6)]),
    ("会計書類の電子決裁への移行", date(FY, 10, 17), [("r3", 7), ("r3", 8)]),
    ("研修申込みのオンラインフォーム化", date(FY, 11, 7), [("r3", 9)]),
    ("GISによる施設点検結果の地図表示", date(FY, 12, 5), [("r3", 10)]),
    ("審査業務のチェックリストの共有と自動集計", date(FY + 1, 1, 16), [("r3", 11)]),
    ("事業者向け説明会の動画配信", date(FY + 1, 2, 13), [("r3", 12), ("r3", 0)]),
    # 養成研修のグループワーク（自所属の課題）: trainees only, before their certification.
    ("養成研修グループワーク：窓口予約のオンライン化", date(FY, 9, 12), [("r4", 0), ("r4", 1)]),
    ("養成研修グループワーク：庁内照会の集計の自動化", date(FY, 10, 3), [("r4", 2), ("r4", 3)]),
    ("養成研修グループワーク：現場写真の共有", date(FY, 10, 24), [("r4", 4), ("r4", 5)]),
    ("養成研修グループワーク：許可証の電子交付の検討", date(FY, 11, 14), [("r4", 6)]),
    # A trainee with a certified specialist: counted (one certified specialist is enough).
    ("申請書の入力項目の見直し（BPR）", date(FY, 11, 28), [("r4", 7), ("r3", 2)]),
    # After the R4 cohort's certification.
    ("電子申請の利用者アンケートによる画面の改善", date(FY + 1, 2, 6), [("r4", 8), ("r4", 9)]),
    ("チャットボットによる職員向けヘルプデスク", date(FY + 1, 2, 20), [("r4", 10)]),
    ("オープンデータの公開手順の整備", date(FY + 1, 3, 6), [("r4", 11), ("r4", 12)]),
    ("勤務表作成の自動化", date(FY + 1, 3, 17), [("r4", 13)]),
]


def _sample_specialists() -> tuple[list[Staff], list[Staff]]:
    """The R3 cohort (14, certified at the end of R3) and the R4 cohort (23, certified in R4),
    each through the 養成研修's enrolment and completion (which certifies)."""
    others = list(Staff.objects.filter(is_sample=True, stage=S.OTHER).order_by("pk"))
    trainees = others[:R4_TRAINEES]
    r3_cohort = others[R4_TRAINEES : R4_TRAINEES + R3_SPECIALISTS]
    course = Course.objects.get(code="SP02")
    r3_run, _created = create_missing(
        CourseRun,
        {"course": course, "fiscal_year": FY - 1, "label": "令和3年度 養成研修（認定の記録）"},
        {"starts_on": date(FY - 1, 5, 1), "ends_on": date(FY, 3, 31), "stages": []},
    )
    for member in r3_cohort:
        enrolment = services.enrol(staff=member, run=r3_run, by=None)
        services.record_completion(enrolment=enrolment, completed_on=R3_CERTIFIED_ON, by=None)
    yosei = CourseRun.objects.filter(course=course, fiscal_year=FY).order_by("starts_on")[0]
    for member in trainees:
        enrolment = services.enrol(staff=member, run=yosei, by=None)
        services.record_completion(enrolment=enrolment, completed_on=R4_CERTIFIED_ON, by=None)
    return r3_cohort, trainees


def _sample_initiatives(r3: list[Staff], r4: list[Staff]) -> None:
    cohorts = {"r3": r3, "r4": r4}
    for title, day, who in R4_INITIATIVES:
        specialists = [cohorts[cohort][index] for cohort, index in who]
        Initiative.objects.create(
            title=SAMPLE_PREFIX + title,
            division=specialists[0].division,
            date=day,
            outcome="サンプルデータ",
            is_sample=True,
        ).specialists.set(specialists)


def _sample_completions(
    rng: random.Random, *, fiscal_year: int = FY, today: date | None = None
) -> None:
    """Sample progress: most completed within their period, some never (the overdue list).
    With `today` (this year's progress), nothing is completed after it: a period not begun
    has no completion yet, one running has part of them."""
    by_day: dict[date, list[int]] = {}
    # The 養成研修 is completed through the service (it certifies), never here.
    unfinished = Enrolment.objects.filter(
        fiscal_year=fiscal_year, completed_on__isnull=True, staff__is_sample=True
    ).exclude(course__category=C.SPECIALIST_TRAINING)
    for pk, starts_on, ends_on in unfinished.order_by("pk").values_list(
        "pk", "run__starts_on", "run__ends_on"
    ):
        if rng.random() < 0.82:
            day = date.fromordinal(
                starts_on.toordinal() + rng.randint(0, (ends_on - starts_on).days)
            )
            if today is not None and day > today:
                continue
            by_day.setdefault(day, []).append(pk)
    # One UPDATE per day rather than bulk_update's CASE over thousands of rows (much slower).
    for day, pks in by_day.items():
        Enrolment.objects.filter(pk__in=pks).update(completed_on=day)
