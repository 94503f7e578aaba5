"""`manage.py load_demo`: the seed's 17 advisors and 11 partners, idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from advisors.demo import load_supporters
from advisors.models import ExpertiseArea, Supporter

pytestmark = pytest.mark.django_db

# 別紙2 of the seed, in its printed (五十音) order.
SEED_ADVISORS = [
    "粟生 万琴",
    "石山 アンジュ",
    "小田島 春樹",
    "日下部 卓也",
    "毛塚 幹人",
    "小池 藍",
    "小池 ひろよ",
    "小安 美和",
    "齋藤 和紀",
    "下山 紗代子",
    "庄司 昌彦",
    "関 治之",
    "田澤 由利",
    "辻 武史",
    "永岡 里菜",
    "新居 日南恵",
    "福田 ミキ",
]
SEED_PARTNERS = [
    "アマゾン ウェブ サービス ジャパン株式会社",
    "株式会社NTTドコモ",
    "グーグル合同会社 (Grow with Google)",
    "KDDI株式会社",
    "株式会社セールスフォース・ジャパン Slack 事業統括部",
    "ZVC Japan株式会社",
    "ソフトバンク株式会社",
    "デロイト トーマツ グループ",
    "パーソルキャリア株式会社",
    "楽天モバイル株式会社",
    "リクルード株式会社",
]


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _snapshot() -> dict:
    supporters = Supporter.objects.order_by("slug")
    return {
        "supporters": list(supporters.values()),
        "areas": list(ExpertiseArea.objects.order_by("slug").values()),
        "links": sorted(
            Supporter.expertise.through.objects.values_list("supporter_id", "expertisearea_id")
        ),
        "history": Supporter.history.count(),
    }


def test_load_demo_gives_the_seed_supporters_in_seed_order():
    output = _load()

    advisors = Supporter.objects.filter(kind=Supporter.Kind.ADVISOR)
    partners = Supporter.objects.filter(kind=Supporter.Kind.PARTNER)
    assert list(advisors.values_list("name", flat=True)) == SEED_ADVISORS
    assert list(partners.values_list("name", flat=True)) == SEED_PARTNERS
    assert "advisors=17" in output and "partners=11" in output
    assert all(
        s.is_active and s.term_start_fy == 2022 and s.term_end_fy is None
        for s in Supporter.objects.all()
    )
    # Every supporter has 1-4 areas; no contact address is invented.
    for supporter in Supporter.objects.prefetch_related("expertise"):
        assert 1 <= len(supporter.expertise.all()) <= 4, supporter.name
        assert supporter.contact_email == ""
    assert all(p.name_kana == "" for p in partners)
    assert all(a.name_kana for a in advisors)


def test_load_demo_spot_checks():
    _load()
    seki = Supporter.objects.get(name="関 治之")
    assert seki.name_kana == "せき はるゆき"
    assert "open-data" in set(seki.expertise.values_list("slug", flat=True))
    assert seki.affiliation_lines == [
        "一般社団法人コード・フォー・ジャパン 代表理事",
        "デジタル庁 オープンデータ伝道師",
        "総務省 地域情報化アドバイザー",
    ]
    koyasu = Supporter.objects.get(name="小安 美和")
    assert koyasu.profile.startswith("株式会社Will Lab 代表取締役。")
    assert set(koyasu.expertise.values_list("slug", flat=True)) == {
        "gender-diversity",
        "hr-careers",
    }
    assert set(
        Supporter.objects.get(name="田澤 由利").expertise.values_list("slug", flat=True)
    ) >= {"telework"}
    assert set(
        Supporter.objects.get(name="ZVC Japan株式会社").expertise.values_list("slug", flat=True)
    ) >= {"web-meetings"}


def test_load_demo_twice_changes_nothing():
    first_output = _load()
    first = _snapshot()
    second_output = _load()
    second = _snapshot()

    assert second == first
    assert Supporter.objects.filter(kind=Supporter.Kind.ADVISOR).count() == 17
    assert Supporter.objects.filter(kind=Supporter.Kind.PARTNER).count() == 11
    assert "supporters_created=28" in first_output
    assert "supporters_kept=28" in second_output


def test_load_demo_keeps_what_staff_changed_and_adds_only_what_is_missing(client):
    load_supporters()
    seki = Supporter.objects.get(slug="seki-haruyuki")
    seki.expertise.clear()
    seki.is_active = False
    seki.save()
    Supporter.objects.get(slug="tazawa-yuri").delete()
    Supporter.objects.create(
        kind=Supporter.Kind.ADVISOR, name="追加の人", slug="added-by-staff", term_start_fy=2023
    )

    counts = load_supporters()

    seki.refresh_from_db()
    assert seki.is_active is False
    assert not seki.expertise.exists()
    tazawa = Supporter.objects.get(slug="tazawa-yuri")
    assert "telework" in set(tazawa.expertise.values_list("slug", flat=True))
    assert (counts["supporters_created"], counts["supporters_kept"]) == (1, 27)
    assert Supporter.objects.filter(slug="added-by-staff").exists()


def test_loaded_directory_renders(client):
    _load()
    response = client.get("/advisors/")
    html = response.content.decode()
    assert "17名" in html and "11社" in html
    assert "リクルード株式会社" in html
    assert client.get("/advisors/seki-haruyuki/").status_code == 200
