"""The plan's KPIs with the seed's baselines, targets and actuals (`manage.py load_demo`).

Only the seed's facts (briefing of 令和4年6月23日, §1 県政レポート and §3 the plan's KPIs, §7
for 10-2 a's yearly targets). Yearly targets the seed does not print are derived only where
it states the rule (10-1 b: 13 new cases a year; 10-2 b: 10 initiatives a year; 10-1 a: kept
at 90.0% or more every year), and each KPI's description says so. Idempotent: an existing
KPI, target or actual is left as staff have it (`create_missing`).
"""

from decimal import Decimal
from typing import TypedDict

from kpi.models import (
    AnnualReport,
    Grade,
    Kpi,
    KpiActual,
    KpiTarget,
    Measure,
    Policy,
    ReportBudget,
    ReportIndicator,
    ReportParagraph,
    SourceKind,
)
from mie_dx.demo import create_missing

R1, R2, R3, R4, R5, R6, R7, R8 = range(2019, 2027)

# (value, fiscal year, note); the final target's year may be unknown.
Figure = tuple[Decimal | None, int | None, str]
# A year's target, with the plan's count in applications when it gives one: (value, count).
Target = Decimal | int | tuple[int, int]


class KpiSpec(TypedDict):
    code: str
    slug: str
    policy: str
    name: str
    description: str
    measure: str
    unit: str
    baseline: Figure
    final: Figure
    cumulative: bool
    source: str
    first_computed: int | None
    counting_rule: str
    english: dict[str, str]  # {field: English text}, for the KPI's *_en fields
    targets: dict[int, Target]
    actuals: dict[int, tuple[Decimal, str, str]]  # {fy: (value, grade, note)}


class ReportSpec(TypedDict):
    fiscal_year: int
    title: str
    department: str
    vision: str
    evaluation: str
    related_policies: str
    main: str  # the main indicator's KPI code
    subs: list[str]  # the sub-indicators' codes
    budgets: dict[int, tuple[int, int, int]]  # {fy: (予算額等, 概算人件費, 配置人員)}
    paragraphs: list[str]


# code, slug, policy, name, description, measure, unit, baseline (value, fy, note),
# final target (value, fy, note), cumulative, source, first computed fy, counting rule,
# yearly targets {fy: value}, actuals {fy: (value, grade, note)}
KPIS: list[KpiSpec] = [
    {
        "code": "10-1 a",
        "slug": "10-1-a",
        "policy": Policy.SOCIETY,
        "name": "DXに取り組む県民の皆さんや県内事業者等への支援に対する貢献度",
        "description": (
            "県が実施した支援に対して相談者等が「役に立った」「やや役に立った」と回答した割合。"
            "令和8年度の目標値は90.0%以上（毎年度高く維持されていることから設定）。"
            "令和4〜7年度の目標値は、この設定理由から各年度90.0%としています。"
        ),
        "measure": Measure.PERCENTAGE,
        "unit": "%",
        "baseline": (Decimal("90.0"), R3, ""),
        "final": (Decimal("90.0"), R8, "以上"),
        "cumulative": False,
        "source": SourceKind.COMPUTED,
        "first_computed": R4,
        "counting_rule": "",
        "english": {
            "name": "Contribution of the prefecture's support to residents and businesses "
            "working on DX",
            "description": "Share of those supported by the prefecture who answered "
            "'useful' or 'somewhat useful'. The FY2026 target is 90.0% or more (set because "
            "the share stays high every year); FY2022–FY2025 targets are 90.0% each for the "
            "same reason.",
            "unit": "%",
            "final_target_note": "or more",
        },
        "targets": {fy: Decimal("90.0") for fy in (R4, R5, R6, R7, R8)},
        "actuals": {R3: (Decimal("90.0"), "", "みえ元気プランの現状値【令和3】")},
    },
    {
        "code": "10-1 b",
        "slug": "10-1-b",
        "policy": Policy.SOCIETY,
        "name": "DXや革新的な技術・サービスを活用した先進的な取組を行う事業者等への支援件数（累計）",
        "description": (
            "DXや革新的な技術・サービスを活用した取組をめざす事業者等に対して、情報提供や"
            "マッチング、事業計画への助言等の支援を行った件数。毎年度13件の新規支援をめざして"
            "目標値を設定（令和4〜7年度の目標値はこの毎年度13件から算出）。"
        ),
        "measure": Measure.COUNT,
        "unit": "件",
        "baseline": (Decimal(26), R3, ""),
        "final": (Decimal(91), R8, ""),
        "cumulative": True,
        "source": SourceKind.COMPUTED,
        "first_computed": R4,
        "counting_rule": "",
        "english": {
            "name": "Support given to businesses etc. taking advanced initiatives with DX or "
            "innovative technologies and services (cumulative)",
            "description": "Number of cases in which information, matching or advice on "
            "business plans was given to businesses etc. aiming at initiatives using DX or "
            "innovative technologies and services. The target aims at 13 new cases a year "
            "(FY2022–FY2025 targets derived from those 13 a year).",
            "unit": "cases",
        },
        "targets": {R4: 39, R5: 52, R6: 65, R7: 78, R8: 91},
        "actuals": {R3: (Decimal(26), "", "みえ元気プランの現状値【令和3】")},
    },
    {
        "code": "10-2 a",
        "slug": "10-2-a",
        "policy": Policy.SERVICES,
        "name": "デジタル化した県独自の行政手続の割合（重点75手続、受付件数ベース）",
        "description": (
            "年間受付件数100件以上の県独自手続のうち、デジタル化の効果が期待できる75手続に"
            "ついてデジタル化した割合（受付件数ベース）。行政手続デジタル化方針の目標は"
            "令和4年度76%、令和5年度92%、令和6年度100%、以降100%を維持。"
        ),
        "measure": Measure.PERCENTAGE,
        "unit": "%",
        "baseline": (Decimal(39), R3, ""),
        "final": (Decimal(100), R8, ""),
        "cumulative": False,
        "source": SourceKind.COMPUTED,
        "first_computed": R4,
        "counting_rule": "",
        "english": {
            "name": "Share of the prefecture's own administrative procedures digitised (the 75 "
            "priority procedures, by annual applications)",
            "description": "Of the prefecture's own procedures with 100 or more applications a "
            "year, the 75 where digitisation is expected to help: the share digitised, weighted "
            "by annual applications. The digitisation policy's targets: 76% in FY2022, 92% in "
            "FY2023, 100% in FY2024, then kept at 100%.",
            "unit": "%",
        },
        # The policy's schedule gives each target in applications too (約8万件 …, §7 4).
        "targets": {
            R4: (76, 80_000),
            R5: (92, 100_000),
            R6: (100, 110_000),
            R7: (100, 110_000),
            R8: (100, 110_000),
        },
        "actuals": {R3: (Decimal(39), "", "みえ元気プランの現状値【令和3】")},
    },
    {
        "code": "10-2 b",
        "slug": "10-2-b",
        "policy": Policy.SERVICES,
        "name": "市町DXの促進に向けた市町との連携による取組数（累計）",
        "description": (
            "市町DXの促進に向け、三重県・市町DX推進協議会等において、複数の市町と連携して"
            "取り組んだ数。毎年度10取組の実施をめざして目標値57取組を設定（令和4〜7年度の"
            "目標値はこの毎年度10取組から算出）。"
        ),
        "measure": Measure.COUNT,
        "unit": "取組",
        "baseline": (Decimal(7), R3, ""),
        "final": (Decimal(57), R8, ""),
        "cumulative": True,
        # Counted from the register of joint initiatives (procedures.selectors
        # .kpi_joint_initiatives): the R3 baseline of 7, then each later year's new ones.
        "source": SourceKind.COMPUTED,
        "first_computed": R4,
        "counting_rule": "",
        "english": {
            "name": "Initiatives with municipalities to promote municipal DX (cumulative)",
            "description": "Number of initiatives taken together with several municipalities, "
            "in the Mie Prefecture–Municipalities DX Promotion Council and elsewhere, to "
            "promote municipal DX. The target of 57 aims at 10 initiatives a year "
            "(FY2022–FY2025 targets derived from those 10 a year).",
            "unit": "initiatives",
        },
        "targets": {R4: 17, R5: 27, R6: 37, R7: 47, R8: 57},
        "actuals": {R3: (Decimal(7), "", "みえ元気プランの現状値【令和3】")},
    },
    {
        "code": "行政運営6 a",
        "slug": "gyosei-6-a",
        "policy": Policy.ADMINISTRATION,
        "name": "DX推進スペシャリストが参画した業務改善等の取組件数",
        "description": (
            "各部局でのDX推進を牽引する人材として育成しているDX推進スペシャリストが参画した"
            "業務改善等のDX推進に向けた取組の件数。令和3年度末で14名のスペシャリストを認定して"
            "おり、今後5年の間に毎年20名程度を育成する予定。スペシャリストが毎年1件以上取り組む"
            "ことを想定し100件に設定（年度ごとの件数で、累計ではありません）。"
        ),
        "measure": Measure.COUNT,
        "unit": "件",
        "baseline": (Decimal(10), R3, ""),
        "final": (Decimal(100), R8, ""),
        "cumulative": False,
        "source": SourceKind.COMPUTED,
        "first_computed": R4,
        "counting_rule": "",
        "english": {
            "name": "Business-improvement initiatives in which DX promotion specialists took part",
            "description": "Number of initiatives toward DX, such as business improvement, in "
            "which the DX promotion specialists trained to lead DX in each department took "
            "part. 14 specialists were certified by the end of FY2021 and about 20 are to be "
            "trained each year for five years; assuming each takes part in at least one "
            "initiative a year, the target is 100 (a yearly count, not cumulative).",
            "unit": "initiatives",
        },
        "targets": {},
        "actuals": {R3: (Decimal(10), "", "みえ元気プランの現状値【令和3】")},
    },
    {
        "code": "行政運営6 b",
        "slug": "gyosei-6-b",
        "policy": Policy.ADMINISTRATION,
        "name": "デジタルコミュニケーションが定着していると感じる職員の割合",
        "description": (
            "デジタルコミュニケーション（①一人一台パソコンを持ち込んでのペーパーレス会議の開催、"
            "②Web会議の開催、③チャットを活用した情報共有）が定着していると感じる職員の割合。"
            "現状値は調査中、目標値は未設定。"
        ),
        "measure": Measure.PERCENTAGE,
        "unit": "%",
        "baseline": (None, R3, "調査中"),
        "final": (None, R8, ""),
        "cumulative": False,
        "source": SourceKind.COMPUTED,
        "first_computed": R3,
        "counting_rule": "",
        "english": {
            "name": "Staff who feel digital communication has taken root",
            "description": "Share of staff who feel that digital communication (1. paperless "
            "meetings with one PC per person, 2. web meetings, 3. information sharing by chat) "
            "has taken root. Baseline under survey; no target set.",
            "unit": "%",
            "baseline_note": "under survey",
        },
        "targets": {},
        "actuals": {},
    },
    {
        "code": "県政レポート 主指標",
        "slug": "report-main",
        "policy": Policy.REPORT,
        "name": "スマート自治体の進展を実感する職員の割合",
        "description": (
            "スマート自治体に係る「職員アンケート」で、ICTを活用したスマート自治体の取組に"
            "より、効率的な業務環境の整備が進展し、働き方が変わったと実感する職員の割合"
        ),
        "measure": Measure.PERCENTAGE,
        "unit": "%",
        "baseline": (None, R1, "—"),
        "final": (None, None, ""),
        "cumulative": False,
        "source": SourceKind.COMPUTED,
        "first_computed": R3,
        "counting_rule": "",
        "english": {
            "name": "Staff who feel the smart local government has progressed",
            "description": "In the staff survey on the smart local government, the share of "
            "staff who feel that ICT-based smart-government initiatives have improved the "
            "efficiency of their working environment and changed the way they work.",
            "unit": "%",
        },
        "targets": {R2: Decimal("10.0"), R3: Decimal("40.0")},
        "actuals": {
            R2: (Decimal("31.7"), "", "令和4年版県政レポート"),
            R3: (Decimal("31.8"), Grade.C, "令和4年版県政レポート（施策の進展度C）"),
        },
    },
    {
        "code": "県政レポート 副指標1",
        "slug": "report-telework",
        "policy": Policy.REPORT,
        "name": "テレワーク（モバイルワークやサテライトオフィス等）を利用した所属数",
        "description": "テレワーク（モバイルワークやサテライトオフィス等）を利用した所属の数。",
        "measure": Measure.COUNT,
        "unit": "所属",
        "baseline": (None, R1, "—"),
        "final": (None, None, ""),
        "cumulative": False,
        "source": SourceKind.ENTERED,
        "first_computed": None,
        "counting_rule": "令和4年版県政レポートの実績値。",
        "english": {
            "name": "Divisions that used telework (mobile work, satellite offices etc.)",
            "description": "Number of divisions that used telework (mobile work, satellite "
            "offices etc.).",
            "unit": "divisions",
            "counting_rule": "The actual of the 2022 Prefectural Government Report.",
        },
        "targets": {R2: 60, R3: 167},
        "actuals": {
            R2: (Decimal(258), "", "令和4年版県政レポート"),
            R3: (Decimal(265), "", "令和4年版県政レポート"),
        },
    },
    {
        "code": "県政レポート 副指標2",
        "slug": "report-e-applications",
        "policy": Policy.REPORT,
        "name": "電子申請・届出システムによる申請件数",
        "description": "電子申請・届出システムによる申請の件数（令和元年度の現状値22,299件）。",
        "measure": Measure.COUNT,
        "unit": "件",
        "baseline": (Decimal(22299), R1, ""),
        "final": (None, None, ""),
        "cumulative": False,
        "source": SourceKind.ENTERED,
        "first_computed": None,
        "counting_rule": "令和4年版県政レポートの実績値。",
        "english": {
            "name": "Applications through the electronic application and notification system",
            "description": "Number of applications made through the electronic application "
            "and notification system (FY2019 baseline: 22,299).",
            "unit": "applications",
            "counting_rule": "The actual of the 2022 Prefectural Government Report.",
        },
        "targets": {R2: 22400, R3: 23000},
        "actuals": {
            R1: (Decimal(22299), "", "令和4年版県政レポートの現状値"),
            R2: (Decimal(32870), "", "令和4年版県政レポート"),
            R3: (Decimal(62457), "", "令和4年版県政レポート"),
        },
    },
]


# The 県政レポート page of the seed (§1): the report of 令和3年度 in 令和4年版県政レポート（案）.
R3_REPORT: ReportSpec = {
    "fiscal_year": R3,
    "title": "令和4年版県政レポート（案）（関係分）",
    "department": "デジタル社会推進局",
    "vision": (
        "ICTの新しい技術の活用により、生産性の向上と正確性の確保を両立させたスマート自治体に"
        "向けた取組が進み、職員の働き方の質が高まるとともに、県民サービスの向上につながって"
        "います。\n"
        "また、スマート自治体を支える情報通信基盤の整備と情報セキュリティの確保が進み、安心"
        "かつ快適に利用できる環境が整っています。"
    ),
    "evaluation": (
        "行政のDXと社会全体のDXの両面を部局横断的に推進する組織として「デジタル社会推進局」を"
        "設置するとともに、全庁を指導統括する最高デジタル責任者（CDO）を置き、社会全体の"
        "デジタル化に向けた推進体制を構築しました。また、DX推進の核となる若手職員の育成に加え、"
        "全所属でDXについての職場研修を実施し、職員間の意識、理解の差の解消を図ったほか、"
        "意欲のある職員へのeラーニングの提供など、知識の習得と活用能力向上等に取り組み、"
        "スマート改革を推進してきました。加えて、Web会議のライセンスの拡充、モバイルワーク端末"
        "の全所属への配付を行うとともに、希望所属を対象としたビジネスチャットの試行やRPAの"
        "適用業務も拡充するなど、生産性向上、働き方改革の取組を進めてきました。職員アンケート"
        "の結果では、スマート自治体の進展について「実感する」、「やや実感する」の回答を合わせる"
        "と81%となり、昨年度から6.8ポイント増加しましたが、「実感する」と回答した職員の割合"
        "だけをみるとほぼ横ばいとなったため、あまり進まなかったと判断しました。"
    ),
    "related_policies": (
        "施策10-1：社会におけるDXの推進 / 施策10-2：行政サービスのDX推進 / 行政運営6：県庁DXの推進"
    ),
    "main": "県政レポート 主指標",
    "subs": ["県政レポート 副指標1", "県政レポート 副指標2"],
    # fiscal year: (予算額等, 概算人件費 in 百万円, 配置人員)
    "budgets": {R2: (1_459, 237, 26), R3: (1_287, 193, 21)},
    "paragraphs": [
        "行政のDXと社会全体のDXの両面を部局横断的に推進する組織として「デジタル社会推進局」を"
        "設置するとともに、全庁を指導統括する最高デジタル責任者（CDO）を置き、社会全体の"
        "デジタル化に向けた推進体制を構築しました。",
        "DXの推進においては、デジタルの得意・不得意にかかわらず、それぞれが自分事としてDXを"
        "捉え、行動に移してもらうための機運の醸成を図ることが重要なことから、国が制定した"
        "「デジタルの日」に合わせた携帯電話会社との連携によるスマホ教室やTwitterによる"
        "キャンペーンの開催、デジタル社会の未来について県民の皆さんとともに考えるための"
        "インタビューやワークショップの開催と参加者から出された意見やアイデアをもとにした"
        "未来像の取りまとめを行いました。県民の皆さんの意見を聴きながらDXの推進に向けた機運"
        "醸成を図る必要があります。",
        "県民の皆さんや県内事業者、市町・庁内部局などがDXに取り組むための「第一歩」を踏み出す"
        "ことを応援するためのワンストップ相談窓口として、「みえDXセンター」を県庁内に設置"
        "しました。皆さんがDXに取り組むにあたって、気軽に相談していただける窓口となるよう、"
        "センターの利用促進を図る必要があります。",
        "業務を可視化し業務プロセスを見直す業務改善や、AI-OCR・RPA等のデジタル技術を活用した"
        "さらなる業務効率化に取り組みました。また、県庁DX推進の核となる人材の育成に加え、"
        "全所属でDXについての職場内研修を実施し、職員間の意識、理解の差の解消を図るとともに、"
        "意欲のある職員に対しe-ラーニングを提供するなど、知識の習得、能力の向上に取り組み"
        "ました。県庁DXを推進していくためには、今後も核となる人材を育成するとともに、職員全体"
        "の能力向上に取り組む必要があります。",
        "不正アクセス等の脅威から県及び市町等接続団体のネットワークを守る自治体情報セキュリティ"
        "クラウドの再構築を実施したほか、インターネット接続やテレワーク環境の改善、メール・"
        "グループウェア等のクラウドサービスへの移行、デジタルデータの活用による政策立案を"
        "進めるための新たな基盤となる「三重DX推進基盤」の整備について検討を行いました。県情報"
        "ネットワークや各庁内システムについては、引き続き、適切な運用管理や情報セキュリティ"
        "対策の徹底等により安定運用を確保する必要があります。また、利用者目線の行政サービスの"
        "創出やテレワーク等による多様で柔軟な働き方を実現するためには、職員が日常的に業務で"
        "利用する新たな情報基盤の整備に取り組む必要があります。",
        "システムの利用効果等の説明を含めた操作研修の実施や積極的な支援等により、電子申請"
        "システムの利用拡大を図りました。行政手続のデジタル化を推進するためには、電子署名や"
        "電子収納に対応した電子申請システムを導入するとともに、申請受付後の事務手続の見直しも"
        "併せて進めて行く必要があります。",
        "各部局が保有している情報システムの最適化に向けて、企画・構築・運用に至る各工程に"
        "おいて、支援・審査・評価を実施したことに加え、各部局が取り組むデジタル技術を活用した"
        "DX関連事業についても、助言・支援を行いました。今後も全庁の情報システム及びDX関連事業"
        "が適切に実施されるよう、引き続き各部局の取組を支援していく必要があります。",
    ],
}


def _fill_english(kpi: Kpi, english: dict[str, str]) -> None:
    """English texts for a KPI loaded before they existed; a text staff wrote is kept."""
    empty = [field for field in english if not getattr(kpi, f"{field}_en")]
    for field in empty:
        setattr(kpi, f"{field}_en", english[field])
    if empty:
        kpi.save(update_fields=[f"{field}_en" for field in empty])


def load_kpis() -> dict[str, int]:
    counts = {"kpis_created": 0, "targets_created": 0, "actuals_created": 0}
    for order, spec in enumerate(KPIS, start=1):
        baseline, baseline_fy, baseline_note = spec["baseline"]
        final, final_fy, final_note = spec["final"]
        kpi, created = create_missing(
            Kpi,
            {"code": spec["code"]},
            {
                "slug": spec["slug"],
                "policy": spec["policy"],
                "name": spec["name"],
                "description": spec["description"],
                "measure": spec["measure"],
                "unit": spec["unit"],
                "baseline_value": baseline,
                "baseline_fiscal_year": baseline_fy,
                "baseline_note": baseline_note,
                "final_target_value": final,
                "final_target_fiscal_year": final_fy,
                "final_target_note": final_note,
                "cumulative": spec["cumulative"],
                "source": spec["source"],
                "first_computed_fiscal_year": spec["first_computed"],
                "counting_rule": spec["counting_rule"],
                "order": order * 10,
            },
        )
        counts["kpis_created"] += created
        _fill_english(kpi, spec["english"])
        for fy, target in spec["targets"].items():
            value, approx = target if isinstance(target, tuple) else (target, None)
            _target, created = create_missing(
                KpiTarget,
                {"kpi": kpi, "fiscal_year": fy},
                {"value": Decimal(value), "approx_count": approx},
            )
            counts["targets_created"] += created
        for fy, (value, grade, note) in spec["actuals"].items():
            _actual, created = create_missing(
                KpiActual,
                {"kpi": kpi, "fiscal_year": fy},
                {"value": value, "grade": grade, "note": note},
            )
            counts["actuals_created"] += created
    counts["reports_created"] = _load_report(R3_REPORT)
    return counts


def _load_report(spec: ReportSpec) -> int:
    """The seed's 県政レポート page as a report (left as it is when it exists)."""
    if AnnualReport.objects.filter(fiscal_year=spec["fiscal_year"], title=spec["title"]).exists():
        return 0
    kpis = {k.code: k for k in Kpi.objects.filter(code__in=[spec["main"], *spec["subs"]])}
    report = AnnualReport.objects.create(
        fiscal_year=spec["fiscal_year"],
        title=spec["title"],
        department=spec["department"],
        vision=spec["vision"],
        evaluation=spec["evaluation"],
        related_policies=spec["related_policies"],
        main_indicator=kpis[spec["main"]],
    )
    for order, code in enumerate(spec["subs"], start=1):
        ReportIndicator.objects.create(report=report, kpi=kpis[code], order=order)
    for fy, (budget, personnel_cost, staff) in spec["budgets"].items():
        ReportBudget.objects.create(
            report=report, fiscal_year=fy, budget=budget, personnel_cost=personnel_cost, staff=staff
        )
    for number, text in enumerate(spec["paragraphs"], start=1):
        ReportParagraph.objects.create(report=report, number=number, text=text)
    return 1
