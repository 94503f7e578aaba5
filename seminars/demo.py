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

So that registration can be tried, `load_upcoming_samples()` adds an upcoming **sample**
series dated from the day it runs: three seminars titled 【サンプル】 on the seed's later
themes, slugs `demo-…`, whose description says they are not real events — one open for
registration, one nearly full, one with an individual-consultation session. Its registrants
are fictional (example.com addresses) and are stored without sending any e-mail.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Max, QuerySet
from django.utils import timezone

from advisors.models import Supporter
from mie_dx.demo import SAMPLE_PREFIX, create_missing
from mie_dx.fiscal import fiscal_year
from mie_dx.people import RequesterType
from seminars.models import (
    Attendance,
    Format,
    Registration,
    RegistrationStatus,
    Seminar,
    SeminarStatus,
    Talk,
)

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
        planned: dict[str, object] = {
            "fiscal_year": R4,
            "number": number,
            "title": theme,
            "theme": theme,
            "status": SeminarStatus.PUBLISHED,
            "date": day,
            "date_note": note,
        }
        _seminar, created = create_missing(Seminar, {"slug": _slug(number)}, planned)
        counts["created" if created else "kept"] += 1
    return {
        "seminars": Seminar.objects.filter(slug__in=[_slug(n) for n in range(1, 6)]).count(),
        "talks": Talk.objects.filter(seminar=first).count(),
        **{f"seminars_{key}": value for key, value in counts.items()},
        **load_upcoming_samples(),
    }


# --- The upcoming sample series ------------------------------------------------------------

SAMPLE_SLUG_PREFIX = "demo-"
SAMPLE_DESCRIPTION = (
    "動作確認用のサンプルのセミナーです。実際の開催予定ではありません。\n"
    "テーマは令和4年度のみえDXセンターセミナーの予定から借りています。"
)
# The seed's venue of 第1回 (the only venue it names).
SAMPLE_VENUE = ("三重県勤労者福祉会館4階第3教室", "津市栄町1丁目891番地")
# (days from today, theme from the seed's 第2回以降の予定, kind)
UPCOMING = [
    (14, PLANNED[0][3], "open"),
    (21, PLANNED[1][3], "nearly_full"),
    (28, PLANNED[2][3], "consultations"),
]
SAMPLE_CAPACITY = 20
# The nearly-full one: this many of its on-site seats are taken (one left).
NEARLY_FULL_TAKEN = SAMPLE_CAPACITY - 1
SAMPLE_REQUESTER_TYPES = [
    RequesterType.BUSINESS,
    RequesterType.INDIVIDUAL,
    RequesterType.MUNICIPALITY,
    RequesterType.GROUP,
]


def upcoming_samples(today: date | None = None) -> QuerySet[Seminar]:
    """The sample seminars that have not taken place yet."""
    today = today or timezone.localdate()
    return Seminar.objects.filter(slug__startswith=SAMPLE_SLUG_PREFIX, date__gte=today)


def load_upcoming_samples(today: date | None = None) -> dict[str, int]:
    """The upcoming sample series, unless one is still upcoming (idempotent: a rerun on the
    same or a later day adds nothing while an earlier series has not taken place; once it is
    over, a new series dated from that day is added beside it).
    """
    today = today or timezone.localdate()
    if upcoming_samples(today).exists():
        return {"upcoming_samples_created": 0}
    created = 0
    for days, theme, kind in UPCOMING:
        day = today + timedelta(days=days)
        fy = fiscal_year(day)
        number = (Seminar.objects.filter(fiscal_year=fy).aggregate(n=Max("number"))["n"] or 0) + 1
        seminar = Seminar.objects.create(
            slug=f"{SAMPLE_SLUG_PREFIX}{day:%Y%m%d}-{kind.replace('_', '-')}",
            fiscal_year=fy,
            number=number,
            title=SAMPLE_PREFIX + theme,
            theme=theme,
            description=SAMPLE_DESCRIPTION,
            status=SeminarStatus.PUBLISHED,
            date=day,
            start_time=time(13, 30),
            end_time=time(15, 15),
            doors_open_time=time(13, 15),
            format=Format.HYBRID,
            venue_name=SAMPLE_VENUE[0],
            venue_address=SAMPLE_VENUE[1],
            onsite_capacity=SAMPLE_CAPACITY,
            online_platform="Zoom",
            fee_yen=0,
            registration_deadline=day - timedelta(days=4),
            **(
                {
                    "consultation_start_time": time(15, 30),
                    "consultation_end_time": time(16, 30),
                    "consultation_slot_minutes": 15,
                }
                if kind == "consultations"
                else {}
            ),
        )
        created += 1
        if kind == "nearly_full":
            _sample_registrations(seminar, NEARLY_FULL_TAKEN)
    return {"upcoming_samples_created": created}


def _sample_registrations(seminar: Seminar, count: int) -> None:
    """Fictional on-site registrants, stored directly: no e-mail, no consultation."""
    now = timezone.now()
    start = datetime.combine(
        timezone.localdate(now) - timedelta(days=count), time(9), tzinfo=now.tzinfo
    )
    Registration.objects.bulk_create(
        Registration(
            seminar=seminar,
            status=RegistrationStatus.CONFIRMED,
            attendance=Attendance.ONSITE,
            requester_type=SAMPLE_REQUESTER_TYPES[n % len(SAMPLE_REQUESTER_TYPES)],
            organization=(
                ""
                if SAMPLE_REQUESTER_TYPES[n % len(SAMPLE_REQUESTER_TYPES)]
                == RequesterType.INDIVIDUAL
                else f"{SAMPLE_PREFIX}団体{n + 1:02d}"
            ),
            name=f"{SAMPLE_PREFIX}参加者{n + 1:02d}",
            name_kana=f"サンプル　サンカシャ{n + 1:02d}",
            email=f"sample-{seminar.slug}-{n + 1:02d}@example.com",
            language="ja",
            privacy_consent_at=start + timedelta(days=n),
            registered_at=start + timedelta(days=n),
            confirmed_at=start + timedelta(days=n),
        )
        for n in range(count)
    )
