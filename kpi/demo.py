"""The plan's KPIs with the seed's baselines, targets and actuals (`manage.py load_demo`).

Only the seed's facts (briefing of 令和4年6月23日, §1 県政レポート and §3 the plan's KPIs, §7
for 10-2 a's yearly targets). Yearly targets the seed does not print are derived only where
it states the rule (10-1 b: 13 new cases a year; 10-2 b: 10 initiatives a year; 10-1 a: kept
at 90.0% or more every year), and each KPI's description says so. Idempotent: an existing
KPI, target or actual is left as staff have it (`create_missing`).
"""

from decimal import Decimal

from kpi.models import Grade, Kpi, KpiActual, KpiTarget, Measure, Policy, SourceKind
from mie_dx.demo import create_missing

R1, R2, R3, R4, R5, R6, R7, R8 = range(2019, 2027)

# code, slug, policy, name, description, measure, unit, baseline (value, fy, note),
# final target (value, fy, note), cumulative, source, first computed fy, counting rule,
# yearly targets {fy: value}, actuals {fy: (value, grade, note)}
KPIS: list[dict] = [
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
        "counting_rule": (
            "相談の満足度アンケートとセミナーのアンケートで回答のあったもののうち、"
            "「役に立った」「やや役に立った」の割合（100 × 該当数 ÷ 回答数、小数第1位まで）。"
            "回答日時（日本時間）の年度で数えます。令和3年度は計画の現状値です。"
        ),
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
        "counting_rule": (
            "みえDXセンターの相談のうち、アドバイザー等とのマッチングを経て「助言・提案」の"
            "状態に初めて進んだものを1件とし、その日（日本時間）の年度に数えます。"
            "その後に完了・保留・取り下げとなっても数えます。令和3年度の現状値26件に"
            "年度ごとの件数を加えた累計です。デモ環境ではサンプルの相談も含みます。"
        ),
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
        "counting_rule": (
            "重点75手続の年間受付件数のうち、デジタル化済の手続の受付件数の割合。"
            "行政手続の台帳（行政手続アプリ）から集計します。"
        ),
        "targets": {R4: 76, R5: 92, R6: 100, R7: 100, R8: 100},
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
        "source": SourceKind.ENTERED,
        "first_computed": None,
        "counting_rule": "管理職が年度ごとの累計の取組数を入力します（ポータルに記録はありません）。",
        "targets": {R4: 17, R5: 27, R6: 37, R7: 47, R8: 57},
        "actuals": {R3: (Decimal(7), "", "みえ元気プランの現状値【令和3】")},
    },
    {
        "code": "行政運営6 a",
        "slug": "gyosei-6-a",
        "policy": Policy.ADMINISTRATION,
        "name": "DX推進スペシャリストが参画した業務改善等の取組件数（累計）",
        "description": (
            "各部局でのDX推進を牽引する人材として育成しているDX推進スペシャリストが参画した"
            "業務改善等のDX推進に向けた取組の件数。令和3年度末で14名を認定、今後5年間毎年"
            "20名程度を育成し、スペシャリストが毎年1件以上取り組むことを想定して100件に設定。"
        ),
        "measure": Measure.COUNT,
        "unit": "件",
        "baseline": (Decimal(10), R3, ""),
        "final": (Decimal(100), R8, ""),
        "cumulative": True,
        "source": SourceKind.COMPUTED,
        "first_computed": R4,
        "counting_rule": (
            "人材育成アプリに記録されたスペシャリストの取組を、年度ごとに現状値10件へ加えた累計。"
        ),
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
        "source": SourceKind.ENTERED,
        "first_computed": None,
        "counting_rule": "職員アンケートの結果を管理職が入力します。",
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
            "より、効率的な業務環境の整備が進展し、働き方が変わったと実感する職員の割合。"
            "令和3年度の施策の進展度はC（あまり進まなかった）。"
        ),
        "measure": Measure.PERCENTAGE,
        "unit": "%",
        "baseline": (None, R1, "—"),
        "final": (None, None, ""),
        "cumulative": False,
        "source": SourceKind.ENTERED,
        "first_computed": None,
        "counting_rule": "職員アンケートの結果（令和4年版県政レポートの実績値）。",
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
        "targets": {R2: 22400, R3: 23000},
        "actuals": {
            R1: (Decimal(22299), "", "令和4年版県政レポートの現状値"),
            R2: (Decimal(32870), "", "令和4年版県政レポート"),
            R3: (Decimal(62457), "", "令和4年版県政レポート"),
        },
    },
]


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
        for fy, value in spec["targets"].items():
            _target, created = create_missing(
                KpiTarget, {"kpi": kpi, "fiscal_year": fy}, {"value": Decimal(value)}
            )
            counts["targets_created"] += created
        for fy, (value, grade, note) in spec["actuals"].items():
            _actual, created = create_missing(
                KpiActual,
                {"kpi": kpi, "fiscal_year": fy},
                {"value": value, "grade": grade, "note": note},
            )
            counts["actuals_created"] += created
    return counts
