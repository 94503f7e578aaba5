"""The five R4 seminars from the seed, loaded by `manage.py load_demo`.

Sources (seed §4-4 and 別紙3):
- 第1回: every detail is the seed's — 令和4年6月24日（金）13:30～15:15（開場 13:15）, hybrid,
  on-site 定員20名（事前申込・先着順） at 三重県勤労者福祉会館4階第3教室（津市栄町1丁目891番地）,
  online by Zoom, 参加無料, 申込締切 6月20日（月）, 個別相談会 15:30～16:30, the two talks and the
  dialogue with the prefecture's CDO. The seed gives no slot length for the individual
  consultations and no Zoom link, so both are left empty for staff to fill.
- 第2回〜第5回: only the seed's planned date and theme (日時（予定）・テーマ（予定）). Where the
  seed gives a day (8月3日, 10月2日) it is the date, with no time; where it gives only
  "12月中旬" / "2月中旬" the date stays empty and `date_note` carries those words, so that no
  day is invented. Format, venue and capacity are unknown and left empty (registration is
  never open for a seminar whose format is unknown).

All five are published (they are public in the seed) and are past seminars by now.
`load_seminars()` is idempotent: rows are matched by slug (talks by seminar and order) and
saved only when a field differs.
"""

from datetime import date, time

from advisors.models import Supporter
from mie_dx.demo import create_missing
from seminars.models import Format, Seminar, SeminarStatus, Talk

R4 = 2022

FIRST = {
    "fiscal_year": R4,
    "number": 1,
    "title": "デジタル社会形成の前提条件",
    "theme": "ジェンダー平等、ダイバーシティ",
    "description": (
        "デジタル社会の形成の前提条件として必要なジェンダー平等、ダイバーシティの観点から、"
        "専門家をお招きし、講演いただきます。\n"
        "講演終了後、小安美和氏と三重県最高デジタル責任者（CDO）との対談も行います。"
    ),
    "status": SeminarStatus.PUBLISHED,
    "date": date(2022, 6, 24),
    "date_note": "",
    "start_time": time(13, 30),
    "end_time": time(15, 15),
    "doors_open_time": time(13, 15),
    "format": Format.HYBRID,
    "venue_name": "三重県勤労者福祉会館4階第3教室",
    "venue_address": "津市栄町1丁目891番地",
    "onsite_capacity": 20,
    "online_capacity": None,
    "online_platform": "Zoom",
    "fee_yen": 0,
    "registration_deadline": date(2022, 6, 20),
    "consultation_start_time": time(15, 30),
    "consultation_end_time": time(16, 30),
}

# (supporter slug or None, values) in programme order.
FIRST_TALKS = [
    (
        "softbank",
        {
            "kind": Talk.Kind.PARTNER,
            "title": "「ショートタイムワーク」～誰もが自分らしく活躍できる未来へ～",
            "subtitle": "",
            "speaker_name": "梅原 みどり",
            "speaker_affiliation": "ソフトバンク株式会社\nCSR本部 多様性推進課 課長",
        },
    ),
    (
        "koyasu-miwa",
        {
            "kind": Talk.Kind.ADVISOR,
            "title": "誰もが働きやすく、働きがいのある社会に向けて",
            "subtitle": "～ジェンダーダイバーシティとDXへの期待～",
            "speaker_name": "",
            "speaker_affiliation": (
                "株式会社Will Lab 代表取締役\nW20日本共同代表\n"
                "内閣府男女共同参画推進連携会議 有識者議員\n株式会社インフォバーン 社外取締役"
            ),
        },
    ),
    (
        None,
        {
            "kind": Talk.Kind.DIALOGUE,
            "title": "トーク終了後の対談",
            "subtitle": "",
            "speaker_name": "小安 美和 氏 × 田中 淳一 三重県最高デジタル責任者（CDO）",
            "speaker_affiliation": "",
        },
    ),
]

# 第2回〜第5回: (number, date or None, date_note, theme), as the seed's 第2回以降の予定 table.
PLANNED = [
    (2, date(2022, 8, 3), "（予定）", "デジタルメディアを活用した受け手に伝わる情報発信"),
    (3, date(2022, 10, 2), "（予定）", "フラットでオープンな組織"),
    (4, None, "12月中旬（予定）", "行政における住民サービス・事務の利便性の向上"),
    (
        5,
        None,
        "2月中旬（予定）",
        "リモートワークやデジタルコミュニケーションの活用など自由で柔軟な働き方",
    ),
]


def _slug(number: int) -> str:
    return f"r4-{number:02d}"


def load_seminars() -> dict[str, int]:
    """Load the five R4 seminars and the talks of the first one.

    Preconditions: inside a transaction (load_demo wraps every loader in one); the supporters
    are loaded (advisors.demo runs first), since the talks name them.
    """
    counts = {"created": 0, "kept": 0}
    first, created = create_missing(Seminar, {"slug": _slug(1)}, FIRST)
    counts["created" if created else "kept"] += 1
    supporters = {s.slug: s for s in Supporter.objects.filter(slug__in=["softbank", "koyasu-miwa"])}
    for order, (slug, values) in enumerate(FIRST_TALKS, start=1):
        supporter = supporters.get(slug) if slug else None
        create_missing(Talk, {"seminar": first, "order": order}, {**values, "supporter": supporter})

    for number, day, note, theme in PLANNED:
        values = {
            "fiscal_year": R4,
            "number": number,
            "title": theme,
            "theme": theme,
            "status": SeminarStatus.PUBLISHED,
            "date": day,
            "date_note": note,
        }
        _seminar, created = create_missing(Seminar, {"slug": _slug(number)}, values)
        counts["created" if created else "kept"] += 1
    return {
        "seminars": Seminar.objects.filter(slug__in=[_slug(n) for n in range(1, 6)]).count(),
        "talks": Talk.objects.filter(seminar=first).count(),
        **{f"seminars_{key}": value for key, value in counts.items()},
    }
