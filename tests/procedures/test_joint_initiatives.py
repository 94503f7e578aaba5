"""The register of joint initiatives with the municipalities (KPI 10-2 b): the one write path
(services; the admin and the import call it), the ≥2 rule, the KPI's cumulative count and its
drill-down, the admin, the import and the public page /municipal-dx/."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpi.demo import load_kpis
from kpi.selectors import drilldown_records, kpi_by_slug
from mie_dx.models import AuditLog
from procedures.demo import load_joint_initiatives
from procedures.models import JointInitiative, JointInitiativeMunicipality
from procedures.services import save_initiative
from tests import spreadsheets
from tests.procedures.initiative_factories import JointInitiativeFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGE = "/municipal-dx/"
# A day in R8, so that every plan year up to R8 has its figure (no dependence on today).
TODAY = date(2026, 12, 8)


def new_initiative(**values) -> JointInitiative:
    defaults = {
        "code": "MJ-2022-01",
        "title": "電子申請の共同調達",
        "fiscal_year_started": 2022,
        "kind": JointInitiative.Kind.JOINT_PROCUREMENT,
    }
    return JointInitiative(**{**defaults, **values})


def municipalities_of(initiative: JointInitiative) -> list[str]:
    return sorted(initiative.participants.values_list("municipality", flat=True))


# --- Services ---------------------------------------------------------------------------------


def test_an_initiative_with_two_municipalities_is_saved_and_logged(center_staff):
    initiative = save_initiative(
        initiative=new_initiative(), municipalities=["tsu", "ise", "tsu"], by=center_staff
    )

    assert municipalities_of(initiative) == ["ise", "tsu"]
    entry = AuditLog.objects.get(action="joint_initiative.created")
    assert entry.user == center_staff
    assert entry.data == {"code": "MJ-2022-01", "fiscal_year_started": 2022, "municipalities": 2}


@pytest.mark.parametrize(
    ("municipalities", "message"),
    [
        (["tsu"], "参加市町を2市町以上選んでください"),
        ([], "参加市町を2市町以上選んでください"),
        (["tsu", "outside"], "三重県内の市町から選んでください（outside）"),
    ],
)
def test_fewer_than_two_or_unknown_municipalities_are_refused_and_nothing_saved(
    center_staff, municipalities, message
):
    with pytest.raises(ValidationError) as refused:
        save_initiative(initiative=new_initiative(), municipalities=municipalities, by=None)

    assert message in " ".join(refused.value.message_dict["municipalities"])
    assert not JointInitiative.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="joint_initiative").exists()


def test_another_forum_needs_its_name_and_documents_are_addresses():
    with pytest.raises(ValidationError) as refused:
        save_initiative(
            initiative=new_initiative(
                forum=JointInitiative.Forum.OTHER,
                document_links="https://ok.example.jp/\nnot a url",
            ),
            municipalities=["tsu", "ise"],
            by=None,
        )
    errors = refused.value.message_dict
    assert "forum_note" in errors
    assert errors["document_links"] == [
        "2行目がURL（http:// または https:// で始まるもの）ではありません。"
    ]
    assert not JointInitiative.objects.exists()


def test_a_change_of_municipalities_is_logged_with_the_fields_changed(center_staff):
    initiative = save_initiative(
        initiative=new_initiative(), municipalities=["tsu", "ise"], by=center_staff
    )
    initiative.status = JointInitiative.Status.COMPLETED
    save_initiative(initiative=initiative, municipalities=["ise", "toba", "shima"], by=center_staff)

    assert municipalities_of(initiative) == ["ise", "shima", "toba"]
    entry = AuditLog.objects.get(action="joint_initiative.updated")
    assert entry.data == {"fields": ["status", "municipalities"]}


# --- KPI 10-2 b -------------------------------------------------------------------------------


def actuals() -> dict[int, Decimal | None]:
    figures = kpi_by_slug("10-2-b", today=TODAY)
    return {y.fiscal_year: y.actual for y in figures.years}


def test_the_kpi_counts_initiatives_with_two_or_more_municipalities_once_in_their_first_year():
    load_kpis()  # 10-2 b: baseline 7 in R3 (entered), computed from R4, cumulative
    JointInitiativeFactory(fiscal_year_started=2021, municipalities=["tsu", "ise"])  # baseline
    JointInitiativeFactory(fiscal_year_started=2022, municipalities=["tsu"])  # one: ignored
    three = JointInitiativeFactory(fiscal_year_started=2022, municipalities=["tsu", "ise", "toba"])
    JointInitiativeFactory(fiscal_year_started=2024, municipalities=["iga", "nabari"])
    JointInitiativeFactory(fiscal_year_started=2024, municipalities=["kiho", "mihama", "kihoku"])

    # By hand: R3 = 7 (the plan's baseline); R4 = 7 + 1 (the three-municipality one, not
    # the one-municipality one); R5 = 8 + 0; R6 = 8 + 2; R7, R8 = 10 (cumulative).
    assert actuals() == {
        2021: Decimal(7),
        2022: Decimal(8),
        2023: Decimal(8),
        2024: Decimal(10),
        2025: Decimal(10),
        2026: Decimal(10),
    }
    figures = kpi_by_slug("10-2-b", today=TODAY)
    r4 = next(y for y in figures.years if y.fiscal_year == 2022)
    assert r4.source == "computed" and r4.achievement == Decimal("0.47")  # 8 ÷ 17

    # The drill-down lists what each year's count adds (not the one-municipality one).
    r4_records = drilldown_records(figures.kpi, 2022)
    assert [r["reference"] for r in r4_records] == [f"{three.code} {three.title}"]
    assert r4_records[0]["detail"] == "令和4年度開始・共同調達・3市町（津市、伊勢市、鳥羽市）"
    assert len(drilldown_records(figures.kpi, 2023)) == 0
    assert len(drilldown_records(figures.kpi, 2024)) == 2


def test_the_kpi_page_states_the_rule_and_runs_a_fixed_number_of_queries(client, manager):
    load_kpis()
    client.force_login(manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/kpi/10-2-b/")
        assert response.status_code == 200
        return len(captured)

    JointInitiativeFactory(fiscal_year_started=2022, municipalities=["tsu", "ise"])
    few = queries()
    for n in range(20):
        JointInitiativeFactory(fiscal_year_started=2023 + n % 3, municipalities=["tsu", "toba"])
    assert queries() == few
    page = client.get("/kpi/10-2-b/").content.decode()
    assert "2以上の市町が参加するものの数を年度ごとに加えた累計です" in page


def test_the_demo_gives_the_plans_baseline_from_seven_sample_r3_initiatives():
    load_kpis()
    assert load_joint_initiatives() == 7
    assert load_joint_initiatives() == 0  # idempotent

    samples = JointInitiative.objects.all()
    assert samples.count() == 7
    assert all(i.is_sample and i.title.startswith("【サンプル】") for i in samples)
    assert {i.fiscal_year_started for i in samples} == {2021}
    assert {i.kind for i in samples} == {
        "joint_procurement",
        "standardisation",
        "business_improvement",
        "infrastructure",
    }
    assert all(i.participants.count() >= 2 for i in samples)
    assert actuals()[2021] == Decimal(7) and actuals()[2022] == Decimal(7)
    figures = kpi_by_slug("10-2-b", today=TODAY)
    assert drilldown_records(figures.kpi, 2022) == []  # R3's are the baseline, not R4's


# --- The admin --------------------------------------------------------------------------------

ADD = "/admin/procedures/jointinitiative/add/"


def form_data(**values) -> dict:
    data = {
        "code": "MJ-2022-01",
        "title": "標準化の検討会",
        "fiscal_year_started": "2022",
        "kind": "standardisation",
        "forum": "council",
        "forum_note": "",
        "status": "in_progress",
        "summary": "",
        "outcome": "",
        "document_links": "",
        "municipalities": ["tsu", "ise"],
    }
    data.update(values)
    return data


def test_center_staff_add_an_initiative_with_two_municipalities(client, center_staff):
    client.force_login(center_staff)

    response = client.post(ADD, form_data(is_public="on"))

    assert response.status_code == 302, response.content.decode()[:3000]
    initiative = JointInitiative.objects.get(code="MJ-2022-01")
    assert initiative.is_public and municipalities_of(initiative) == ["ise", "tsu"]
    assert AuditLog.objects.filter(action="joint_initiative.created", user=center_staff).exists()
    change = client.get(f"/admin/procedures/jointinitiative/{initiative.pk}/change/")
    assert change.status_code == 200
    assert re.search(r'value="tsu"[^>]*checked', change.content.decode())
    assert not re.search(r'value="toba"[^>]*checked', change.content.decode())


def test_one_municipality_is_refused_with_a_clear_message_and_nothing_saved(client, center_staff):
    client.force_login(center_staff)

    response = client.post(ADD, form_data(municipalities=["tsu"]))

    assert response.status_code == 200
    assert "参加市町を2市町以上選んでください（複数の市町と連携した取組を記録します）。" in (
        response.content.decode()
    )
    assert not JointInitiative.objects.exists()
    assert not JointInitiativeMunicipality.objects.exists()


def test_managers_read_the_register_but_do_not_change_it(client, manager, procedure_officer):
    JointInitiativeFactory(code="TJ-READ")
    client.force_login(manager)
    listing = client.get("/admin/procedures/jointinitiative/")
    assert listing.status_code == 200 and "TJ-READ" in listing.content.decode()
    assert "CSVで出力（現在の絞り込み）" in listing.content.decode()
    assert "CSV・Excelから取り込む" not in listing.content.decode()
    assert client.post(ADD, form_data()).status_code == 403
    client.force_login(procedure_officer)
    assert client.get("/admin/procedures/jointinitiative/").status_code == 403


def test_the_change_list_runs_a_fixed_number_of_queries(client, center_staff):
    client.force_login(center_staff)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/procedures/jointinitiative/").status_code == 200
        return len(captured)

    JointInitiativeFactory()
    few = queries()
    for _ in range(15):
        JointInitiativeFactory(municipalities=["tsu", "ise", "toba"])
    assert queries() == few


def test_deleting_in_the_admin_goes_through_the_service(client, center_staff):
    initiative = JointInitiativeFactory(code="TJ-DEL")
    client.force_login(center_staff)

    response = client.post(
        f"/admin/procedures/jointinitiative/{initiative.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not JointInitiative.objects.exists()
    assert AuditLog.objects.get(action="joint_initiative.deleted").data["code"] == "TJ-DEL"


# --- The import -------------------------------------------------------------------------------

HEADER = ["管理番号", "取組名", "開始年度", "種類", "参加市町", "場", "状態", "資料", "公開"]
GOOD = [
    ["MJ-1", "共同調達A", "R4", "共同調達", "津市、伊勢市、鳥羽市", "", "実施中", "", "1"],
    [
        "MJ-2",
        "研修B",
        "令和5年度",
        "情報提供・研修",
        "名張市,伊賀市",
        "伊賀地域の連絡会",
        "完了",
        "https://example.jp/a https://example.jp/b",
        "0",
    ],
]


def run(path: str, *args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(
            "import_data", "joint_initiatives", path, *args, stdout=out, stderr=io.StringIO()
        )
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def write(tmp_path):
    def write(content: bytes, name: str = "initiatives.csv") -> str:
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


def test_the_import_creates_initiatives_through_the_service(write):
    code, out = run(write(spreadsheets.csv_bytes(HEADER, GOOD)))

    assert code == 0, out
    assert "created=2" in out
    first, second = JointInitiative.objects.order_by("code")
    assert (first.fiscal_year_started, first.is_public) == (2022, True)
    assert municipalities_of(first) == ["ise", "toba", "tsu"]
    assert (second.fiscal_year_started, second.kind, second.forum) == (
        2023,
        "information_training",
        "other",
    )
    assert second.forum_note == "伊賀地域の連絡会"
    assert second.links == ["https://example.jp/a", "https://example.jp/b"]
    assert AuditLog.objects.filter(action="joint_initiative.created").count() == 2

    # The same file again changes nothing; XLSX is read the same way.
    code, out = run(write(spreadsheets.xlsx_bytes(HEADER, GOOD), "again.xlsx"))
    assert code == 0 and "created=0 updated=0 unchanged=2" in out, out


def test_an_import_row_with_one_municipality_is_refused_and_nothing_saved(write):
    rows = [GOOD[0], ["MJ-3", "単独の取組", "R4", "業務改善", "津市", "", "", "", "0"]]

    code, out = run(write(spreadsheets.csv_bytes(HEADER, rows)))

    assert code == 1
    assert "3" in out and "参加市町" in out and "参加市町を2市町以上選んでください" in out
    assert not JointInitiative.objects.exists()


def test_an_unknown_municipality_name_is_reported_under_its_column(write):
    rows = [["MJ-4", "取組", "R4", "共同調達", "津市、大阪市", "", "", "", "0"]]

    code, out = run(write(spreadsheets.csv_bytes(HEADER, rows)))

    assert code == 1 and "三重県内の市町名ではありません: 大阪市" in out
    assert not JointInitiative.objects.exists()


def test_the_admin_import_and_export_round_trip(client, center_staff, write):
    JointInitiativeFactory(code="TJ-X", municipalities=["tsu", "kiho"])
    client.force_login(center_staff)
    listing = client.get("/admin/procedures/jointinitiative/").content.decode()
    assert "CSV・Excelから取り込む" in listing and "Excelで出力（現在の絞り込み）" in listing

    exported = client.get(reverse("admin:procedures_jointinitiative_export"))
    text = exported.content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.split(",")[:5] == ["管理番号", "取組名", "開始年度", "種類", "参加市町"]
    assert row.startswith("TJ-X,") and ",R4,共同調達,津市、紀宝町," in row
    code, out = run(write(exported.content))
    assert code == 0 and "unchanged=1" in out, out

    upload = io.BytesIO(spreadsheets.csv_bytes(HEADER, GOOD))
    upload.name = "i.csv"
    preview = client.post(
        reverse("admin:procedures_jointinitiative_import"), {"import_file": upload, "format": "0"}
    )
    assert preview.status_code == 200
    assert not JointInitiative.objects.filter(code="MJ-1").exists()
    done = client.post(
        reverse("admin:procedures_jointinitiative_process_import"),
        preview.context["confirm_form"].initial,
        follow=True,
    )
    assert done.status_code == 200
    assert municipalities_of(JointInitiative.objects.get(code="MJ-1")) == ["ise", "toba", "tsu"]


# --- The public page --------------------------------------------------------------------------


def test_the_public_page_lists_only_public_initiatives_with_their_municipalities(client):
    JointInitiativeFactory(title="公開の取組", is_public=True, municipalities=["owase", "kumano"])
    JointInitiativeFactory(title="非公開の取組", is_public=False)

    response = client.get(PUBLIC_PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "公開の取組" in page and "非公開の取組" not in page
    assert "尾鷲市、熊野市" in page and "2市町" in page
    assert "令和4年度" in page
    assert reverse("municipal_dx:list") == PUBLIC_PAGE
    assert PUBLIC_PAGE in client.get("/").content.decode()  # linked from the home page


def test_a_resident_looks_up_their_town_and_the_filtered_page_is_cached_too(client):
    JointInitiativeFactory(title="尾鷲の取組", is_public=True, municipalities=["owase", "kumano"])
    JointInitiativeFactory(title="津の取組", is_public=True, municipalities=["tsu", "ise"])

    response = client.get(PUBLIC_PAGE, {"town": "owase"})

    page = response.content.decode()
    assert "尾鷲市が参加している取組（1件）" in page
    assert "尾鷲の取組" in page and "津の取組" not in page
    assert '<option value="owase" selected>' in page
    assert response["X-Page-Cache"] == "miss"
    assert client.get(PUBLIC_PAGE, {"town": "owase"})["X-Page-Cache"] == "hit"
    # A value that is no town shows every initiative, rendered and not stored.
    for made_up in ("<b>", "osaka"):
        other = client.get(PUBLIC_PAGE, {"town": made_up})
        assert other["X-Page-Cache"] == "bypass" and "津の取組" in other.content.decode()


def test_the_public_page_is_cached_and_renewed_when_an_initiative_changes(
    client, django_capture_on_commit_callbacks
):
    initiative = JointInitiativeFactory(title="標準化の検討", is_public=True)
    first = client.get(PUBLIC_PAGE)
    assert first["X-Page-Cache"] == "miss"
    assert client.get(PUBLIC_PAGE)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        initiative.title = "標準化の検討（改）"
        save_initiative(initiative=initiative, municipalities=["tsu", "ise", "iga"], by=None)
    renewed = client.get(PUBLIC_PAGE)
    assert renewed["X-Page-Cache"] == "miss"
    assert "標準化の検討（改）" in renewed.content.decode()
    assert "伊賀市" in renewed.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        initiative.is_public = False
        save_initiative(initiative=initiative, municipalities=["tsu", "ise", "iga"], by=None)
    assert "標準化の検討" not in client.get(PUBLIC_PAGE).content.decode()


def test_the_public_page_runs_a_fixed_number_of_queries_and_speaks_english(client, settings):
    settings.PAGE_CACHE_ENABLED = False

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PUBLIC_PAGE).status_code == 200
        return len(captured)

    JointInitiativeFactory(is_public=True)
    few = queries()
    for _ in range(10):
        JointInitiativeFactory(is_public=True, municipalities=["tsu", "ise", "mihama"])
    assert queries() == few

    english = client.get(PUBLIC_PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in english and "FY2022" in english
