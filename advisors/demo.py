"""The registered supporters from the seed (別紙2), loaded by `manage.py load_demo`.

Sources:
- Names and roles: 別紙2 of the seed ("みえDXアドバイザーズ（計17名）※五十音順。役職等は令和4年4月1日
  現在。" and "みえDXパートナーズ（計11社）※五十音順。"). Company names are kept exactly as the seed
  prints them, including "リクルード株式会社".
- Readings (name_kana): the portal's own, consistent with the seed's 五十音順 order.
- Expertise areas and each supporter's areas: the PORTAL'S OWN TAGGING, not part of the seed.
  They are derived from the roles the seed gives (e.g. "デジタル庁 オープンデータ伝道師" → オープンデータ,
  "総務省 地域情報化アドバイザー" → 自治体DX, "株式会社テレワークマネジメント" → テレワーク) and from the
  第1回 seminar (SoftBank's talk on ショートタイムワーク → ジェンダー・ダイバーシティ). Where the seed
  gives only a company name with no field, the supporter gets the generic 事業者のDX area.
- Profiles: sentences built only from the seed's roles (and, for the 第1回 seminar speakers, the
  seminar leaflet); no invented biography. No contact e-mail address is in the seed, so none is set.
- Term: every supporter is registered from 令和4年度 (FY2022), as of 令和4年4月1日, with no end.

`load_supporters()` is idempotent: rows are matched by slug and only missing ones are created,
so a second run writes nothing, and what staff changed in the admin is kept.
"""

from dataclasses import dataclass

from advisors.models import FIRST_TERM_FY, ExpertiseArea, Supporter
from mie_dx.demo import create_missing

# (slug, Japanese name, English name), in display order.
EXPERTISE_AREAS: list[tuple[str, str, str]] = [
    ("open-data", "オープンデータ", "Open data"),
    ("municipal-dx", "自治体DX", "Municipal DX"),
    ("telework", "テレワーク", "Telework"),
    ("gender-diversity", "ジェンダー・ダイバーシティ", "Gender and diversity"),
    ("hr-careers", "人材・キャリア", "HR and careers"),
    ("agriculture", "農業", "Agriculture"),
    ("tourism", "観光", "Tourism"),
    ("startups", "スタートアップ", "Startups and investment"),
    ("regional-revitalisation", "地域活性化", "Regional revitalisation"),
    ("sharing-economy", "シェアリングエコノミー", "Sharing economy"),
    ("retail-data", "小売・データ活用", "Retail and data use"),
    ("outreach", "情報発信", "Digital media and outreach"),
    ("civic-npo", "市民活動・NPO", "Civic groups and NPOs"),
    ("business-dx", "事業者のDX", "DX for businesses"),
    ("dx-strategy", "DX戦略・コンサルティング", "DX strategy and consulting"),
    ("cloud", "クラウド", "Cloud"),
    ("mobile", "モバイル・通信", "Mobile and communications"),
    ("web-meetings", "Web会議・コミュニケーション", "Web meetings and communication tools"),
    ("digital-skills", "デジタルスキル", "Digital skills"),
]

ADVISOR_AS_OF = "役職等は令和4年4月1日現在。"


@dataclass(frozen=True)
class SeedSupporter:
    slug: str
    name: str
    kana: str
    roles: str  # as printed in the seed, roles separated by " / "
    areas: tuple[str, ...]
    extra_profile: str = ""


# みえDXアドバイザーズ, in the seed's 五十音順.
ADVISORS: list[SeedSupporter] = [
    SeedSupporter(
        "aou-makoto",
        "粟生 万琴",
        "あおう まこと",
        "などのキャンパス プロデューサー / 株式会社LEO 代表取締役",
        ("startups", "regional-revitalisation"),
    ),
    SeedSupporter(
        "ishiyama-anju",
        "石山 アンジュ",
        "いしやま あんじゅ",
        "一般社団法人 Public Meets Innovation 代表理事 / 一般社団法人シェアリングエコノミー協会 常任理事"
        " / デジタル庁 シェアリングエコノミー伝道師 / 総務省 地域情報化アドバイザー",
        ("sharing-economy", "municipal-dx"),
    ),
    SeedSupporter(
        "odashima-haruki",
        "小田島 春樹",
        "おだしま はるき",
        "有限会社ゑびや 代表取締役社長 / 株式会社EBILAB 代表取締役",
        ("retail-data", "tourism"),
    ),
    SeedSupporter(
        "kusakabe-takuya",
        "日下部 卓也",
        "くさかべ たくや",
        "株式会社PakuPaku 代表取締役社長",
        ("business-dx",),
    ),
    SeedSupporter(
        "kezuka-mikihito", "毛塚 幹人", "けづか みきひと", "前つくば市副市長", ("municipal-dx",)
    ),
    SeedSupporter(
        "koike-ai",
        "小池 藍",
        "こいけ あい",
        "THE CREATIVE FUND, LLP GP 代表パートナー",
        ("startups",),
    ),
    SeedSupporter(
        "koike-hiroyo",
        "小池 ひろよ",
        "こいけ ひろよ",
        "一般財団法人渋谷区観光協会 理事・事務局長 / PerkUP, inc. CCO / CO'RE LLC. Co-Founder",
        ("tourism", "regional-revitalisation", "startups"),
    ),
    SeedSupporter(
        "koyasu-miwa",
        "小安 美和",
        "こやす みわ",
        "株式会社Will Lab 代表取締役",
        ("gender-diversity", "hr-careers"),
        # The 第1回 seminar leaflet lists these further roles.
        "第1回みえDXセンターセミナー（令和4年6月24日）講師（同セミナーの案内に記載の役職：W20日本共同代表、"
        "内閣府男女共同参画推進連携会議 有識者議員、株式会社インフォバーン 社外取締役）。",
    ),
    SeedSupporter(
        "saito-kazunori",
        "齋藤 和紀",
        "さいとう かずのり",
        "エクスポネンシャル・ジャパン株式会社 代表取締役",
        ("startups", "dx-strategy"),
    ),
    SeedSupporter(
        "shimoyama-sayoko",
        "下山 紗代子",
        "しもやま さよこ",
        "一般社団法人リンクデータ 代表理事 / デジタル庁 オープンデータ伝道師 / 総務省 地域情報化アドバイザー",
        ("open-data", "municipal-dx"),
    ),
    SeedSupporter(
        "shoji-masahiko",
        "庄司 昌彦",
        "しょうじ まさひこ",
        "武蔵大学社会学部メディア社会学科教授 / デジタル庁 オープンデータ伝道師 / 総務省 地域情報化アドバイザー",
        ("open-data", "municipal-dx", "outreach"),
    ),
    SeedSupporter(
        "seki-haruyuki",
        "関 治之",
        "せき はるゆき",
        "一般社団法人コード・フォー・ジャパン 代表理事 / デジタル庁 オープンデータ伝道師"
        " / 総務省 地域情報化アドバイザー",
        ("open-data", "municipal-dx"),
    ),
    SeedSupporter(
        "tazawa-yuri",
        "田澤 由利",
        "たざわ ゆり",
        "株式会社テレワークマネジメント 代表取締役 / 総務省 地域情報化アドバイザー",
        ("telework", "municipal-dx"),
    ),
    SeedSupporter(
        "tsuji-takeshi", "辻 武史", "つじ たけし", "株式会社つじ農園 代表取締役", ("agriculture",)
    ),
    SeedSupporter(
        "nagaoka-rina",
        "永岡 里菜",
        "ながおか りな",
        "株式会社おてつたび 代表取締役 CEO",
        ("regional-revitalisation", "tourism"),
    ),
    SeedSupporter(
        "nii-hinae", "新居 日南恵", "にい ひなえ", "特定非営利活動法人 manma 理事", ("civic-npo",)
    ),
    SeedSupporter(
        "fukuda-miki", "福田 ミキ", "ふくだ みき", "株式会社 On-Co 執行役員", ("business-dx",)
    ),
]

# みえDXパートナーズ, in the seed's 五十音順. `kana` here is only the sort reading of the brand
# (the public page shows no reading for companies); it keeps the seed's order in the database.
PARTNERS: list[SeedSupporter] = [
    SeedSupporter(
        "aws-japan",
        "アマゾン ウェブ サービス ジャパン株式会社",
        "あまぞんうぇぶさーびす",
        "",
        ("cloud",),
    ),
    SeedSupporter("ntt-docomo", "株式会社NTTドコモ", "えぬてぃてぃどこも", "", ("mobile",)),
    SeedSupporter(
        "google", "グーグル合同会社 (Grow with Google)", "ぐーぐる", "", ("digital-skills",)
    ),
    SeedSupporter("kddi", "KDDI株式会社", "けーでぃーでぃーあい", "", ("mobile",)),
    SeedSupporter(
        "salesforce-japan-slack",
        "株式会社セールスフォース・ジャパン Slack 事業統括部",
        "せーるすふぉーす",
        "",
        ("web-meetings", "cloud"),
    ),
    SeedSupporter(
        "zvc-japan", "ZVC Japan株式会社", "ぜっとぶいしー", "", ("web-meetings", "telework")
    ),
    SeedSupporter(
        "softbank",
        "ソフトバンク株式会社",
        "そふとばんく",
        "",
        ("mobile", "gender-diversity"),
        "第1回みえDXセンターセミナー（令和4年6月24日）で、CSR本部多様性推進課の講師が"
        "「「ショートタイムワーク」～誰もが自分らしく活躍できる未来へ～」を講演。",
    ),
    SeedSupporter(
        "deloitte-tohmatsu", "デロイト トーマツ グループ", "でろいと", "", ("dx-strategy",)
    ),
    SeedSupporter("persol-career", "パーソルキャリア株式会社", "ぱーそる", "", ("hr-careers",)),
    SeedSupporter("rakuten-mobile", "楽天モバイル株式会社", "らくてん", "", ("mobile",)),
    # Printed "リクルード" in the seed; kept as printed.
    SeedSupporter("recruit", "リクルード株式会社", "りくるーと", "", ("hr-careers",)),
]


def _advisor_values(seed: SeedSupporter) -> dict[str, object]:
    roles = [role.strip() for role in seed.roles.split(" / ")]
    profile = "".join(f"{role}。" for role in roles) + ADVISOR_AS_OF + seed.extra_profile
    return {
        "kind": Supporter.Kind.ADVISOR,
        "name": seed.name,
        "name_kana": seed.kana,
        "sort_key": seed.kana,
        "affiliation": "\n".join(roles),
        "profile": profile,
    }


def _partner_values(seed: SeedSupporter) -> dict[str, object]:
    return {
        "kind": Supporter.Kind.PARTNER,
        "name": seed.name,
        "name_kana": "",
        "sort_key": seed.kana,
        "affiliation": "",
        "profile": "みえDXパートナーズ登録企業。" + seed.extra_profile,
    }


def load_supporters() -> dict[str, int]:
    """Load the seed's expertise areas, 17 advisors and 11 partners.

    Precondition: run inside a transaction (load_demo wraps every loader in one). Safe to run
    any number of times; supporters not in the seed are left alone.
    """
    counts = {"created": 0, "kept": 0}
    areas: dict[str, ExpertiseArea] = {}
    for order, (slug, name, name_en) in enumerate(EXPERTISE_AREAS, start=1):
        areas[slug], _created = create_missing(
            ExpertiseArea,
            {"slug": slug},
            {"name": name, "name_en": name_en, "display_order": order * 10},
        )

    seeds = [(seed, _advisor_values(seed)) for seed in ADVISORS]
    seeds += [(seed, _partner_values(seed)) for seed in PARTNERS]
    for seed, values in seeds:
        values |= {"term_start_fy": FIRST_TERM_FY, "term_end_fy": None, "is_active": True}
        supporter, created = create_missing(Supporter, {"slug": seed.slug}, values)
        if created:
            supporter.expertise.set([areas[slug] for slug in seed.areas])
        counts["created" if created else "kept"] += 1

    return {
        "expertise_areas": ExpertiseArea.objects.count(),
        "advisors": Supporter.objects.filter(kind=Supporter.Kind.ADVISOR).count(),
        "partners": Supporter.objects.filter(kind=Supporter.Kind.PARTNER).count(),
        **{f"supporters_{key}": value for key, value in counts.items()},
    }
