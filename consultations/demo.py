"""Sample consultations shaped like the seed's figures (§4-3), for `manage.py load_demo`.

The seed counts 34 consultations to 31 May R4 (R3: 29, R4: 5): by requester 県内事業者 19,
県民グループ 5, 県・市町 10; by content 情報提供 10, 人材育成 12, 課題解決 9, その他 3. It quotes
three of them, which are used word for word; every other sample is generic. The requesters are
fictional, every row is flagged `is_sample`, titles start with 【サンプル】 and addresses use
example.com, so no one is e-mailed and no statistic mistakes them for real cases.

Sample rows are written directly (no e-mails, no workflow services): they describe a past
that has already happened, as the workflow would have left it — a supporter is asked in
matching, 助言・提案 begins when they accept and advice is recorded the next day (KPI 10-1 b
counts the two R4 businesses in advising); the R4 case in matching waits for its supporter's
answer. Safe to run again: a sample is found by its reference (and a sample loaded by an
earlier version gets what it lacks).

`load_sample_support_records` adds a few records of support given outside the desk in R4
(【サンプル】 organisations), through the service, once.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from advisors.models import Supporter
from consultations import services
from consultations.models import (
    AdviceSession,
    Assignment,
    Category,
    Consultation,
    ReferenceCounter,
    Source,
    Status,
    StatusChange,
    SupportKind,
    SupportProgramme,
    SupportRecord,
    Survey,
)
from mie_dx.municipalities import Municipality
from mie_dx.people import RequesterType
from mie_dx.surveys import Rating

B, G, M, P = (
    RequesterType.BUSINESS,
    RequesterType.GROUP,
    RequesterType.MUNICIPALITY,
    RequesterType.PREFECTURE,
)
INFO, TRAINING, PROBLEM, OTHER = Category.INFO, Category.TRAINING, Category.PROBLEM, Category.OTHER

# The three consultations the seed quotes (相談内容（主なもの）).
QUOTED = {
    1: (
        "現場作業員へのIT導入活用の展開等",
        "現場作業員へのIT導入活用の展開等社内のデジタル化の取組の進め方について相談したい。",
    ),
    2: (
        "ビジネスプランの事業化に向けた検証の手順",
        "高校ビジネスプランコンテストにサイトを活用したビジネスプランを提案しているが、その事業化に向けて、"
        "どのような手順で検証をしていけばよいか相談したい。",
    ),
    3: ("自治体DXの必要性に関する講義", "自治体DXの必要性などに関する講義をしてほしい。"),
}

GENERIC: dict[str, tuple[str, str]] = {
    INFO: (
        "DXに関する情報提供のご相談",
        "DXの取組について参考になる情報を知りたい。（サンプルデータ）",
    ),
    TRAINING: (
        "人材育成・セミナー開催のご相談",
        "職員・社員向けにDXのセミナーを開催したい。（サンプルデータ）",
    ),
    PROBLEM: (
        "課題解決のためのご相談",
        "業務の課題をデジタル技術で解決する方法を相談したい。（サンプルデータ）",
    ),
    OTHER: ("その他のご相談", "DXに関するその他のご相談。（サンプルデータ）"),
}

# (requester type, category, status, survey rating or "" for none/unanswered) × 34, oldest
# first: 29 in R3 (FY2021), then 5 in R4 to 31 May 2022. 18 of the 20 answered surveys say
# useful or somewhat useful: 90.0 %, the R3 baseline of KPI 10-1 a.
ROWS: list[tuple[str, str, str, str]] = [
    (B, PROBLEM, Status.CLOSED, Rating.USEFUL),  # 1: quoted
    (G, PROBLEM, Status.CLOSED, Rating.USEFUL),  # 2: quoted
    (M, TRAINING, Status.CLOSED, Rating.USEFUL),  # 3: quoted
    (B, INFO, Status.CLOSED, Rating.USEFUL),
    (B, TRAINING, Status.CLOSED, Rating.SOMEWHAT_USEFUL),
    (M, INFO, Status.CLOSED, Rating.USEFUL),
    (B, PROBLEM, Status.CLOSED, Rating.USEFUL),
    (G, TRAINING, Status.CLOSED, Rating.SOMEWHAT_USEFUL),
    (B, INFO, Status.CLOSED, Rating.USEFUL),
    (P, TRAINING, Status.CLOSED, Rating.USEFUL),
    (B, TRAINING, Status.CLOSED, Rating.NOT_VERY_USEFUL),
    (B, PROBLEM, Status.CLOSED, Rating.NOT_USEFUL),
    (M, INFO, Status.CLOSED, Rating.SOMEWHAT_USEFUL),
    (B, OTHER, Status.CLOSED, Rating.USEFUL),
    (G, INFO, Status.CLOSED, Rating.USEFUL),
    (B, TRAINING, Status.CLOSED, Rating.USEFUL),
    (M, TRAINING, Status.CLOSED, Rating.SOMEWHAT_USEFUL),
    (B, PROBLEM, Status.CLOSED, Rating.USEFUL),
    (B, INFO, Status.CLOSED, Rating.USEFUL),
    (P, PROBLEM, Status.CLOSED, Rating.USEFUL),
    (B, TRAINING, Status.CLOSED, ""),
    (M, OTHER, Status.CLOSED, ""),
    (B, INFO, Status.CLOSED, ""),
    (G, INFO, Status.CLOSED, ""),
    (B, PROBLEM, Status.CLOSED, ""),
    (M, TRAINING, Status.WITHDRAWN, ""),
    (B, INFO, Status.WITHDRAWN, ""),
    (B, OTHER, Status.DECLINED, ""),
    (P, TRAINING, Status.ON_HOLD, ""),
    # R4 (to 31 May 2022)
    (B, PROBLEM, Status.ADVISING, ""),
    (B, INFO, Status.ADVISING, ""),
    (G, TRAINING, Status.MATCHING, ""),
    (M, PROBLEM, Status.TRIAGE, ""),
    (B, TRAINING, Status.RECEIVED, ""),
]

MUNICIPALITIES = [m for m in Municipality if m != Municipality.OUTSIDE_MIE]
PATHS: dict[str, list[Status]] = {
    Status.CLOSED: [Status.TRIAGE, Status.MATCHING, Status.ADVISING, Status.CLOSED],
    Status.WITHDRAWN: [Status.TRIAGE, Status.WITHDRAWN],
    Status.DECLINED: [Status.TRIAGE, Status.DECLINED],
    Status.ON_HOLD: [Status.TRIAGE, Status.ON_HOLD],
    Status.ADVISING: [Status.TRIAGE, Status.MATCHING, Status.ADVISING],
    Status.MATCHING: [Status.TRIAGE, Status.MATCHING],
    Status.TRIAGE: [Status.TRIAGE],
    Status.RECEIVED: [],
}


@dataclass(frozen=True)
class Sample:
    number: int
    requester_type: str
    category: str
    status: str
    rating: str

    @property
    def created_at(self) -> datetime:
        # R3: one every ~12 days from 1 June 2021; R4: April and May 2022.
        if self.number <= 29:
            day = datetime(2021, 6, 1) + timedelta(days=(self.number - 1) * 10)
        else:
            day = datetime(2022, 4, 8) + timedelta(days=(self.number - 30) * 12)
        return timezone.make_aware(datetime.combine(day.date(), time(10, 0)))

    @property
    def reference(self) -> str:
        year = timezone.localtime(self.created_at).year
        index = self.number if year == 2021 else self.number - _first_number_of(year) + 1
        return f"DX-{year}-{index:04d}"


def _first_number_of(year: int) -> int:
    return next(
        n for n in range(1, len(ROWS) + 1) if Sample(n, *ROWS[n - 1]).created_at.year == year
    )


def _create(sample: Sample, supporters: list[Supporter]) -> Consultation:
    n = sample.number
    title, description = QUOTED.get(n) or GENERIC[sample.category]
    organizations: dict[str, str] = {
        B: f"サンプル事業者{n:02d}",
        G: f"サンプル県民グループ{n:02d}",
        M: f"サンプル市町{n:02d}",
        P: f"サンプル県所属{n:02d}",
    }
    organization = organizations[sample.requester_type]
    at = sample.created_at
    consultation = Consultation.objects.create(
        reference=sample.reference,
        source=Source.WEB if n % 3 else Source.PHONE,
        status=sample.status,
        requester_type=sample.requester_type,
        organization=organization,
        name=f"サンプル 相談者{n:02d}",
        name_kana=f"サンプル　ソウダンシャ{n:02d}",
        email=f"sample{n:02d}@example.com",
        municipality=MUNICIPALITIES[n % len(MUNICIPALITIES)],
        category=sample.category,
        title=f"【サンプル】{title}",
        description=description,
        privacy_consent_at=at,
        is_sample=True,
        created_at=at,
        status_changed_at=at,
    )
    StatusChange.objects.create(consultation=consultation, to_status=Status.RECEIVED, changed_at=at)
    previous = Status.RECEIVED
    assignment = None
    for step, status in enumerate(PATHS[sample.status], start=1):
        changed_at = at + timedelta(days=step * 2)
        note = ""
        if status == Status.MATCHING and supporters:
            # The supporter is asked in matching (the case stays there until they accept).
            assignment = _ask(consultation, supporters[n % len(supporters)], at=changed_at)
        if status == Status.ADVISING and assignment is not None:
            # 助言・提案 begins when the supporter accepts; advice is recorded the next day.
            assignment.state = (
                Assignment.State.DONE
                if sample.status == Status.CLOSED
                else Assignment.State.ACCEPTED
            )
            assignment.responded_at = changed_at
            assignment.save(update_fields=["state", "responded_at"])
            note = f"{assignment.supporter.name} が依頼を受諾しました。"
            _advise(assignment, on=changed_at + timedelta(days=1))
        StatusChange.objects.create(
            consultation=consultation,
            from_status=previous,
            to_status=status,
            changed_at=changed_at,
            note=note,
        )
        previous = status
        consultation.status_changed_at = changed_at
    if sample.status == Status.CLOSED:
        consultation.closed_at = consultation.status_changed_at
        survey = Survey.objects.create(
            consultation=consultation,
            sent_at=consultation.closed_at,
            reminder_sent_at=None if sample.rating else consultation.closed_at + timedelta(days=7),
        )
        if sample.rating:
            survey.rating = sample.rating
            survey.answered_at = consultation.closed_at + timedelta(days=2)
            survey.save(update_fields=["rating", "answered_at"])
    consultation.save(update_fields=["status_changed_at", "closed_at"])
    return consultation


def _ask(consultation: Consultation, supporter: Supporter, *, at: datetime) -> Assignment:
    return Assignment.objects.create(
        consultation=consultation,
        supporter=supporter,
        state=Assignment.State.PROPOSED,
        assigned_at=at + timedelta(hours=1),
    )


def _advise(assignment: Assignment, *, on: datetime) -> AdviceSession:
    return AdviceSession.objects.create(
        assignment=assignment,
        held_on=timezone.localdate(on),
        summary="（サンプルデータ）助言・提案を行いました。",
        created_at=on,
    )


def _complete(consultation: Consultation, sample: Sample, supporters: list[Supporter]) -> int:
    """What a sample loaded by an earlier version of this loader lacks: a sample in advising
    has advice recorded (KPI 10-1 b counts it), one in matching a supporter asked (not yet
    accepted). Returns how many rows were added."""
    if not supporters:
        return 0
    assignments = list(consultation.assignments.all())
    if sample.status == Status.MATCHING and not assignments:
        changed = consultation.status_changes.filter(to_status=Status.MATCHING).latest(
            "changed_at", "pk"
        )
        _ask(consultation, supporters[sample.number % len(supporters)], at=changed.changed_at)
        return 1
    if sample.status == Status.ADVISING and assignments:
        if AdviceSession.objects.filter(assignment__consultation=consultation).exists():
            return 0
        changed = consultation.status_changes.filter(to_status=Status.ADVISING).latest(
            "changed_at", "pk"
        )
        _advise(assignments[0], on=changed.changed_at + timedelta(days=1))
        return 1
    return 0


def load_sample_consultations() -> dict[str, int]:
    """34 sample consultations; an existing sample (same reference) is left as it is.

    Precondition: supporters are loaded first (samples in advising or closed name one).
    """
    supporters = list(Supporter.objects.filter(is_active=True).order_by("kind", "sort_key"))
    samples = [Sample(n, *row) for n, row in enumerate(ROWS, start=1)]
    existing = set(
        Consultation.objects.filter(reference__in=[s.reference for s in samples]).values_list(
            "reference", flat=True
        )
    )
    created = completed = 0
    for sample in samples:
        if sample.reference not in existing:
            _create(sample, supporters)
            created += 1
        elif sample.status in (Status.MATCHING, Status.ADVISING):
            consultation = Consultation.objects.get(reference=sample.reference)
            completed += _complete(consultation, sample, supporters)
    # Keep the per-year counters ahead of the samples so real cases never collide.
    for year in {timezone.localtime(s.created_at).year for s in samples}:
        last = sum(1 for s in samples if timezone.localtime(s.created_at).year == year)
        counter, _ = ReferenceCounter.objects.get_or_create(year=year)
        if counter.last_number < last:
            counter.last_number = last
            counter.save(update_fields=["last_number"])
    support_records = load_sample_support_records()
    return {
        "sample_consultations": Consultation.objects.filter(is_sample=True).count(),
        "created": created,
        "completed": completed,
        "sample_support_records": support_records,
    }


# Support given outside the desk in R4 (KPI 10-1 b): the startup, 空の移動革命 and
# advanced-technology programmes. Fictional organisations, marked 【サンプル】.
SUPPORT_RECORDS: list[tuple[date, str, str, str, str]] = [
    (
        date(2022, 6, 15),
        "【サンプル】ドローン物流の実証をめざす事業者",
        SupportProgramme.AIR_MOBILITY,
        SupportKind.MATCHING,
        "実証フィールドを持つ市町とのマッチング（サンプルデータ）",
    ),
    (
        date(2022, 7, 20),
        "【サンプル】県内スタートアップ",
        SupportProgramme.STARTUP,
        SupportKind.BUSINESS_PLAN,
        "事業計画への助言（サンプルデータ）",
    ),
    (
        date(2022, 9, 5),
        "【サンプル】AIの導入を検討する製造業者",
        SupportProgramme.ADVANCED_TECHNOLOGY,
        SupportKind.INFORMATION,
        "先端技術の活用事例の情報提供（サンプルデータ）",
    ),
]


def load_sample_support_records() -> int:
    """The sample support records, each once (found by date, organisation, programme and
    kind); returns how many sample records there are."""
    for supported_on, organization, programme, kind, note in SUPPORT_RECORDS:
        exists = SupportRecord.objects.filter(
            supported_on=supported_on, organization=organization, programme=programme, kind=kind
        ).exists()
        if not exists:
            services.record_support(
                supported_on=supported_on,
                organization=organization,
                programme=programme,
                kind=kind,
                note=note,
                by=None,
                is_sample=True,
            )
    return SupportRecord.objects.filter(is_sample=True).count()
