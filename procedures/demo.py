"""Demo data: the six procedures the seed names for R4 (real names and annual applications)
and a generated inventory whose totals reproduce the seed's survey table (§7 2-1) exactly.

Generated rows are marked: `is_sample`, codes starting with SAMPLE-, names starting with
【サンプル】. Their divisions are the core's generated sample divisions (the seed names no
owning division). The real six are 対応中 with R4 planned: the seed's plan says they are to be
digitised in R4, not when they were.

The priority procedures (75, 110,145 applications) are chosen among the 独自 ones so that those
planned for R2 and R3 — digitised (sample dates) in those years — make 42,957 applications:
39.0 % in R3, the seed's baseline.

The inventory holds the plan as the 方針 left it, not as the survey found it: 「R9以降はR6へ前倒し
を依頼」, and the priority procedures are to be digitised by R6 — so the priority procedures the
survey put in R9以降 (12) or 要調整 (3) are planned for R6 (their notes say so), and the planned
path reaches 100 % in R6. The survey itself (its table, exactly as published, and the whole
inventory's figures) is a dated record of its own (`InventorySurvey`).
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from mie_dx.demo import create_missing
from mie_dx.demo_users import DEMO_PROCEDURE_OFFICER
from mie_dx.models import Division
from procedures.models import (
    PARTICIPANT_MUNICIPALITIES,
    InventorySurvey,
    InventorySurveyRow,
    JointInitiative,
    Procedure,
    ProcedureEditor,
    SurveyColumn,
)
from procedures.services import save_initiative

OWN = Procedure.Kind.OWN
STATUTORY = Procedure.Kind.STATUTORY
R9 = "r9"
ADJUST = "adjust"
# A column of the survey's table: a fiscal year (2020 … 2024), R9 or ADJUST.
Column = int | str

# The seed's survey (460 procedures with ≥100 applications a year): {kind: {column: (n, apps)}}.
SURVEY: dict[str, dict[Column, tuple[int, int]]] = {
    OWN: {
        2020: (26, 27_674),
        2021: (25, 15_732),
        2022: (8, 39_983),
        2023: (2, 250),
        2024: (1, 434),
        R9: (12, 9_557),
        ADJUST: (37, 43_307),
    },
    STATUTORY: {
        2020: (30, 289_153),
        2021: (17, 48_128),
        2022: (4, 860),
        2023: (28, 13_551),
        2024: (21, 116_253),
        R9: (158, 183_059),
        ADJUST: (91, 168_149),
    },
}

# The seed's §7 5: procedures digitised in R4 (name, form, annual applications).
R4_PROCEDURES = [
    ("MIE-R4-01", "三重県立高等学校入学", "願書", 17_000),
    ("MIE-R4-02", "三重県立高等学校入学", "確約書（前期選抜等）", 8_000),
    ("MIE-R4-03", "三重県立高等学校入学", "確約書（スポーツ特別枠選抜）", 140),
    ("MIE-R4-04", "三重おもいやり駐車場利用証", "新規・更新交付申請書", 12_600),
    ("MIE-R4-05", "三重おもいやり駐車場利用証", "再交付申請書", 1_400),
    ("MIE-R4-06", "三重県太陽光発電施設の適正導入に係るガイドライン", "事業概要書", 100),
]

# Among the 独自 procedures: how many of each column are priority, and their applications.
#   R2 26 (27,674) + R3 23 (15,283) digitised by R3 = 42,957 = 39.0 % of 110,145;
#   R4 8, R5 2, R6 1 (40,667); R9以降 12 (9,557); 要調整 3 (16,964): 75 procedures, 110,145.
PRIORITY_SPLIT: dict[Column, tuple[int, int]] = {
    2020: (26, 27_674),
    2021: (23, 15_283),
    2022: (8, 39_983),
    2023: (2, 250),
    2024: (1, 434),
    R9: (12, 9_557),
    ADJUST: (3, 16_964),
}
PRIORITY_PROCEDURES = 75
PRIORITY_APPLICATIONS = 110_145
SAMPLE_PREFIX = "【サンプル】"
MINIMUM = 100  # the survey counted procedures with ≥100 applications a year


def spread(total: int, n: int, seed: int) -> list[int]:
    """`n` deterministic, uneven amounts of at least 100 adding up to `total` exactly."""
    if n == 0:
        return []
    weights = [((i + 1) * 7919 + seed * 104_729) % 97 + 1 for i in range(n)]
    spare = total - MINIMUM * n
    amounts = [MINIMUM + spare * w // sum(weights) for w in weights]
    amounts[0] += total - sum(amounts)
    return amounts


# The priority procedures the survey put in R9以降 or 要調整: planned for R6 by the 方針.
BROUGHT_FORWARD_TO = 2024
BROUGHT_FORWARD_NOTE: dict[Column, str] = {
    R9: "調査時点の予定はR9以降（方針によりR6へ前倒し）",
    ADJUST: "調査時点は要調整（重点手続としてR6に予定）",
}


def _plan(column: Column) -> dict[str, Any]:
    if column == R9:
        return {"plan": Procedure.Plan.R9_OR_LATER, "planned_fiscal_year": None}
    if column == ADJUST:
        return {
            "plan": Procedure.Plan.NEEDS_ADJUSTMENT,
            "planned_fiscal_year": None,
            "adjustment_reason": SAMPLE_PREFIX + "来庁が前提（現物の交付等）のため調整中",
        }
    return {"plan": Procedure.Plan.FISCAL_YEAR, "planned_fiscal_year": column}


def _digitised(column: Column, index: int) -> dict[str, Any]:
    """Sample dates: those planned for R2 / R3 were digitised in that year."""
    if column in (2020, 2021):
        day = date(column, 4 + index % 9, 1 + index % 28)
        return {"status": Procedure.Status.DIGITISED, "digitised_on": day}
    return {"status": Procedure.Status.NOT_STARTED, "digitised_on": None}


def inventory_rows(divisions: list[Division]) -> list[Procedure]:
    """Every demo procedure, unsaved (the real six first)."""
    rows: list[Procedure] = []
    pick = iter(range(10**6))

    def division() -> Division:
        return divisions[next(pick) % len(divisions)]

    for code, name, form, applications in R4_PROCEDURES:
        rows.append(
            Procedure(
                code=code,
                name=name,
                form_name=form,
                division=division(),
                kind=OWN,
                annual_applications=applications,
                is_priority=True,
                status=Procedure.Status.IN_PROGRESS,
                notes=SAMPLE_PREFIX + "所属と手続コードはデモ用（名称と受付件数は県の資料による）",
                **_plan(2022),
            )
        )
    for kind, columns in SURVEY.items():
        letter = "O" if kind == OWN else "S"
        number = 0
        for seed, (column, (n, applications)) in enumerate(columns.items()):
            if kind == OWN and column == 2022:
                real = sum(r[3] for r in R4_PROCEDURES)
                n, applications = n - len(R4_PROCEDURES), applications - real
            groups = [(False, n, applications)]
            if kind == OWN:
                p_n, p_apps = PRIORITY_SPLIT[column]
                if column == 2022:
                    p_n, p_apps = n, applications
                groups = [(True, p_n, p_apps), (False, n - p_n, applications - p_apps)]
            for is_priority, count, total in groups:
                brought_forward = is_priority and column in BROUGHT_FORWARD_NOTE
                plan = _plan(BROUGHT_FORWARD_TO if brought_forward else column)
                notes = SAMPLE_PREFIX + BROUGHT_FORWARD_NOTE[column] if brought_forward else ""
                for i, amount in enumerate(spread(total, count, seed)):
                    number += 1
                    rows.append(
                        Procedure(
                            code=f"SAMPLE-{letter}-{number:04d}",
                            name=f"{SAMPLE_PREFIX}{'独自' if kind == OWN else '法定'}手続 {number}",
                            form_name=SAMPLE_PREFIX + "申請書",
                            division=division(),
                            kind=kind,
                            annual_applications=amount,
                            applications_fiscal_year=2021,
                            is_priority=is_priority,
                            is_sample=True,
                            notes=notes,
                            **plan,
                            **_digitised(column, i),
                        )
                    )
    return rows


# The survey as the 方針 (令和4年4月) published it, and the inventory-wide figures it gives.
SURVEY_TITLE = "行政手続のデジタル化に関する調査"
SURVEY_RECORD = {
    "source": "行政手続デジタル化方針（令和4年4月、三重県）",
    "conducted_from": date(2021, 12, 14),
    "conducted_to": date(2022, 1, 14),
    "published_on": date(2022, 4, 1),
    "scope": "年間受付件数100件以上の行政手続（460手続）",
    "all_procedures": 4_273,
    "all_applications": 987_514,
    "own_procedures": 1_337,
    "own_procedures_over_100": 111,
    "priority_procedures": 75,
    "priority_applications": 110_145,
    # みえ元気プラン: 「県独自手続の年間受付件数約14万8千件のうち、デジタル化が完了した割合は
    # 31%（約4万6千件）」.
    "own_applications_approx": 148_000,
    "own_digitised_applications_approx": 46_000,
    "own_digitised_share": Decimal(31),
    # 2-2: 「県独自手続については、令和6年までに年間受付件数の74%がデジタル化、法定手続について
    # は、年間受付件数の78%がデジタル化」.
    "aim_fiscal_year": 2024,
    "aim_own_share": Decimal(74),
    "aim_statutory_share": Decimal(78),
    "notes": (
        "R9以降はR6へ前倒しを依頼。要調整手続は内容を精査し可能なものは対応を依頼。"
        "県独自手続のデジタル化済の割合（31%、約4万6千件／約14万8千件）は、みえ元気プランの記載による。"
    ),
}
SURVEY_COLUMNS: dict[Column, SurveyColumn] = {
    2020: SurveyColumn.R2,
    2021: SurveyColumn.R3,
    2022: SurveyColumn.R4,
    2023: SurveyColumn.R5,
    2024: SurveyColumn.R6,
    R9: SurveyColumn.R9_OR_LATER,
    ADJUST: SurveyColumn.NEEDS_ADJUSTMENT,
}


def load_survey() -> int:
    """The survey record and its table (created once; staff corrections are kept)."""
    period = {k: SURVEY_RECORD[k] for k in ("conducted_from", "conducted_to")}
    values = {k: v for k, v in SURVEY_RECORD.items() if k not in period}
    survey, created = create_missing(InventorySurvey, period, {"title": SURVEY_TITLE, **values})
    if not created:
        return 0
    InventorySurveyRow.objects.bulk_create(
        InventorySurveyRow(
            survey=survey,
            kind=kind,
            column=SURVEY_COLUMNS[column],
            procedures=n,
            applications=applications,
        )
        for kind, columns in SURVEY.items()
        for column, (n, applications) in columns.items()
    )
    return 1


def load_demo_editor(divisions: list[Division]) -> int:
    """The demo procedure officer (mie_dx.demo_users, local settings only) edits the
    procedures of `divisions`, so that the account can do its job. Only while it edits no
    division: an editor staff changed in the admin is left as they left it."""
    user = get_user_model().objects.filter(username=DEMO_PROCEDURE_OFFICER).first()
    if user is None or ProcedureEditor.objects.filter(user=user).exists():
        return 0
    ProcedureEditor.objects.bulk_create(
        ProcedureEditor(user=user, division=division) for division in divisions
    )
    return len(divisions)


def load_procedures() -> dict[str, int]:
    """Idempotent: procedures whose code exists are left as staff left them."""
    divisions = list(Division.objects.filter(is_sample=True).order_by("code"))
    if not divisions:
        divisions = list(Division.objects.order_by("code"))
    if not divisions:
        return {"procedures_created": 0, "surveys_created": load_survey()}
    with transaction.atomic():
        surveys = load_survey()
        existing = set(Procedure.objects.values_list("code", flat=True))
        new = [p for p in inventory_rows(divisions) if p.code not in existing]
        for procedure in new:
            if procedure.is_sample and procedure.status == Procedure.Status.DIGITISED:
                procedure.online_url = "https://example.jp/sample/" + procedure.code.lower()
        Procedure.objects.bulk_create(new, batch_size=500)
        editors = load_demo_editor(divisions)
    return {
        "procedures_created": len(new),
        "surveys_created": surveys,
        "demo_editor_divisions": editors,
    }


# --- Joint initiatives with the municipalities (KPI 10-2 b) -----------------------------------
# Seven sample initiatives started in R3 — the plan's baseline of 10-2 b is 7 (R3) — from the
# kinds the seed names for the center's work with the municipalities: 共同調達, 情報システムの
# 標準化, モデル市町と連携した業務改善, 情報基盤の検討. Titles, municipalities and outcomes are
# invented (【サンプル】, is_sample); the seed lists no actual initiative.

JOINT_INITIATIVES: list[dict[str, Any]] = [
    {
        "code": "SAMPLE-MJ-2021-01",
        "title": "【サンプル】電子申請システムの共同調達",
        "kind": JointInitiative.Kind.JOINT_PROCUREMENT,
        "status": JointInitiative.Status.COMPLETED,
        "municipalities": ["tsu", "ise", "kameyama", "toba", "inabe", "shima", "taki", "meiwa"],
        "summary": "県と市町が同じ電子申請システムを共同で調達し、費用と運用の負担を抑える。",
        "outcome": "参加市町で電子申請の受付を開始（サンプル）。",
    },
    {
        "code": "SAMPLE-MJ-2021-02",
        "title": "【サンプル】RPA・AI-OCRの共同利用",
        "kind": JointInitiative.Kind.JOINT_PROCUREMENT,
        "status": JointInitiative.Status.IN_PROGRESS,
        "municipalities": ["yokkaichi", "suzuka", "kuwana", "toin", "komono", "asahi"],
        "summary": "定型業務の自動化ツールを共同で調達し、導入事例を共有する。",
        "outcome": "",
    },
    {
        "code": "SAMPLE-MJ-2021-03",
        "title": "【サンプル】基幹業務システムの標準化に向けた検討会",
        "kind": JointInitiative.Kind.STANDARDISATION,
        "status": JointInitiative.Status.IN_PROGRESS,
        "municipalities": [value for value, _label in PARTICIPANT_MUNICIPALITIES],
        "summary": "自治体情報システムの標準化・共通化に向け、移行の進め方を市町と検討する。",
        "outcome": "移行スケジュールの共有（サンプル）。",
    },
    {
        "code": "SAMPLE-MJ-2021-04",
        "title": "【サンプル】標準準拠システムへの移行計画づくりの支援",
        "kind": JointInitiative.Kind.STANDARDISATION,
        "status": JointInitiative.Status.IN_PROGRESS,
        "municipalities": ["nabari", "iga", "owase", "kumano", "kihoku", "mihama", "kiho"],
        "summary": "小規模な市町の移行計画の作成を、県とセンターが支援する。",
        "outcome": "",
    },
    {
        "code": "SAMPLE-MJ-2021-05",
        "title": "【サンプル】モデル市町と連携した窓口業務の改善",
        "kind": JointInitiative.Kind.BUSINESS_IMPROVEMENT,
        "status": JointInitiative.Status.COMPLETED,
        "municipalities": ["matsusaka", "tamaki", "watarai"],
        "summary": "モデル市町で窓口の手続を見直し、書かない窓口の試行を行う。",
        "outcome": "来庁者の記入時間の短縮を確認（サンプル）。",
    },
    {
        "code": "SAMPLE-MJ-2021-06",
        "title": "【サンプル】モデル市町と連携したペーパーレス会議の導入",
        "kind": JointInitiative.Kind.BUSINESS_IMPROVEMENT,
        "status": JointInitiative.Status.COMPLETED,
        "municipalities": ["kawagoe", "kisosaki", "odai", "taiki"],
        "summary": "モデル市町で一人一台端末を使うペーパーレス会議を導入し、手順を共有する。",
        "outcome": "",
    },
    {
        "code": "SAMPLE-MJ-2021-07",
        "title": "【サンプル】県・市町共通の情報基盤の検討",
        "kind": JointInitiative.Kind.INFRASTRUCTURE,
        "status": JointInitiative.Status.IN_PROGRESS,
        "municipalities": ["tsu", "yokkaichi", "matsusaka", "minamiise", "mihama"],
        "summary": "ネットワークやクラウドなど、県と市町が共同で使える情報基盤のあり方を検討する。",
        "outcome": "",
    },
]
DEMO_INITIATIVE_YEAR = 2021  # R3


def load_joint_initiatives() -> int:
    """Idempotent: an initiative whose code exists is left as staff left it."""
    existing = set(JointInitiative.objects.values_list("code", flat=True))
    created = 0
    with transaction.atomic():
        for spec in JOINT_INITIATIVES:
            if spec["code"] in existing:
                continue
            values = {k: v for k, v in spec.items() if k != "municipalities"}
            initiative = JointInitiative(
                **values,
                fiscal_year_started=DEMO_INITIATIVE_YEAR,
                forum=JointInitiative.Forum.COUNCIL,
                is_public=True,
                is_sample=True,
            )
            save_initiative(initiative=initiative, municipalities=spec["municipalities"], by=None)
            created += 1
    return created


def load_demo() -> dict[str, int]:
    """The procedures (with the survey) and the joint initiatives."""
    counts = load_procedures()
    counts["joint_initiatives_created"] = load_joint_initiatives()
    return counts
