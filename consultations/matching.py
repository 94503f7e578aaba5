"""Matching suggestions: which registered supporters fit a consultation best, and why.

The score (0–100) adds up what a center staff member would weigh:
- expertise that fits the kind of consultation (category) and words in its title and text;
- expertise that fits who is asking (a municipality, a business, a resident group);
- how many open cases the supporter already carries (fewer is better);
- how earlier requesters rated the help of this supporter (KPI 10-1 a's question);
and only supporters who are active and within their term are suggested at all.
The tables below are the portal's own, like the expertise tagging itself.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from advisors.models import ExpertiseArea, Supporter
from consultations.models import (
    OPEN_STATUSES,
    Assignment,
    Category,
    Consultation,
)
from mie_dx.fiscal import fiscal_year
from mie_dx.people import RequesterType
from mie_dx.surveys import USEFUL_RATINGS
from mie_dx.text import join_list

CATEGORY_AREAS: dict[str, set[str]] = {
    Category.INFO: {"dx-strategy", "digital-skills", "open-data"},
    Category.TRAINING: {"hr-careers", "digital-skills", "gender-diversity"},
    Category.PROBLEM: {"business-dx", "dx-strategy", "cloud", "retail-data"},
    Category.OTHER: set(),
}

REQUESTER_AREAS: dict[str, set[str]] = {
    RequesterType.INDIVIDUAL: {"digital-skills", "regional-revitalisation"},
    RequesterType.GROUP: {"civic-npo", "regional-revitalisation", "sharing-economy"},
    RequesterType.BUSINESS: {"business-dx", "retail-data", "cloud", "startups"},
    RequesterType.MUNICIPALITY: {"municipal-dx", "open-data"},
    RequesterType.PREFECTURE: {"municipal-dx", "open-data", "dx-strategy"},
}

# Words in a consultation that point at an expertise area, besides the area's own name.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "open-data": ("オープンデータ", "データ公開", "open data"),
    "municipal-dx": ("自治体", "市役所", "町役場", "行政", "住民サービス"),
    "telework": ("テレワーク", "リモートワーク", "在宅勤務", "働き方"),
    "gender-diversity": ("ジェンダー", "ダイバーシティ", "女性", "多様性"),
    "hr-careers": ("人材", "研修", "育成", "採用", "キャリア", "セミナー", "講義", "講演"),
    "agriculture": ("農業", "農園", "農家", "スマート農業"),
    "tourism": ("観光", "旅館", "ホテル", "インバウンド"),
    "startups": ("起業", "スタートアップ", "ビジネスプラン", "事業化", "資金調達"),
    "regional-revitalisation": ("地域", "まちづくり", "移住", "関係人口"),
    "sharing-economy": ("シェアリング", "シェア"),
    "retail-data": ("小売", "店舗", "飲食", "売上", "需要予測", "データ分析"),
    "outreach": ("情報発信", "広報", "SNS", "ホームページ", "動画"),
    "civic-npo": ("NPO", "市民活動", "ボランティア", "自治会"),
    "business-dx": ("社内", "現場", "業務効率", "IT導入", "デジタル化"),
    "dx-strategy": ("DX戦略", "計画", "進め方", "ロードマップ"),
    "cloud": ("クラウド", "サーバー", "AWS"),
    "mobile": ("スマホ", "スマートフォン", "携帯", "モバイル", "5G"),
    "web-meetings": ("Web会議", "オンライン会議", "Zoom", "チャット", "Slack"),
    "digital-skills": ("デジタルスキル", "パソコン", "使い方", "リテラシー"),
}

ADVISED_STATES = (Assignment.State.ACCEPTED, Assignment.State.DONE)

EXPERTISE_CATEGORY_POINTS = 25
EXPERTISE_TEXT_POINTS = 20
REQUESTER_POINTS = 15
LOAD_PENALTY = 8
SURVEY_POINTS = 20


@dataclass
class Suggestion:
    supporter: Supporter
    score: int
    reasons: list[str] = field(default_factory=list)


def _text_areas(consultation: Consultation, areas_by_slug: dict[str, ExpertiseArea]) -> set[str]:
    text = f"{consultation.title}\n{consultation.description}".lower()
    found = set()
    for slug, area in areas_by_slug.items():
        words = (area.name, *(KEYWORDS.get(slug, ())))
        if any(word.lower() in text for word in words):
            found.add(slug)
    return found


def in_term_q(fy: int) -> Q:
    """Supporters whose term includes fiscal year `fy` (as a query filter)."""
    return Q(term_start_fy__lte=fy) & (Q(term_end_fy__isnull=True) | Q(term_end_fy__gte=fy))


def in_term(supporter: Supporter, fy: int) -> bool:
    """The same rule as `in_term_q`, for one supporter already loaded."""
    return supporter.term_start_fy <= fy and (
        supporter.term_end_fy is None or supporter.term_end_fy >= fy
    )


def suggest_supporters(consultation: Consultation, *, limit: int = 10) -> list[Suggestion]:
    """Active supporters in their term, best first, with the reasons for each score.

    Sample consultations (load_demo) count neither as load nor as ratings: they are not real
    work. Runs a fixed number of queries however many supporters are registered.
    """
    current_fy = fiscal_year(timezone.localdate())
    real = Q(assignments__consultation__is_sample=False)
    supporters = (
        Supporter.objects.filter(in_term_q(current_fy), is_active=True)
        .prefetch_related("expertise")
        .annotate(
            open_load=Count(
                "assignments",
                filter=real
                & Q(
                    assignments__state__in=Assignment.ACTIVE_STATES,
                    assignments__consultation__status__in=OPEN_STATUSES,
                ),
                distinct=True,
            ),
            # Only the cases the supporter took on: a requester's rating says nothing about
            # a supporter who declined (or never answered) the request.
            rated=Count(
                "assignments",
                filter=real
                & Q(
                    assignments__state__in=ADVISED_STATES,
                    assignments__consultation__survey__answered_at__isnull=False,
                ),
                distinct=True,
            ),
            rated_useful=Count(
                "assignments",
                filter=real
                & Q(
                    assignments__state__in=ADVISED_STATES,
                    assignments__consultation__survey__rating__in=USEFUL_RATINGS,
                ),
                distinct=True,
            ),
        )
    )
    already = set(consultation.assignments.values_list("supporter_id", flat=True))
    category_areas = CATEGORY_AREAS.get(consultation.category, set())
    requester_areas = REQUESTER_AREAS.get(consultation.requester_type, set())
    suggestions = []
    for supporter in supporters:
        if supporter.pk in already:
            continue
        areas = {area.slug: area for area in supporter.expertise.all()}
        text_hits = _text_areas(consultation, areas)
        score = 0
        reasons = []
        category_hits = sorted(category_areas & areas.keys())
        if category_hits:
            score += EXPERTISE_CATEGORY_POINTS
            reasons.append(
                _("相談の種類に合う専門分野: %(areas)s")
                % {"areas": join_list(areas[s].localized_name for s in category_hits)}
            )
        if text_hits:
            score += min(len(text_hits), 2) * EXPERTISE_TEXT_POINTS
            reasons.append(
                _("相談内容に関係する専門分野: %(areas)s")
                % {"areas": join_list(areas[s].localized_name for s in sorted(text_hits))}
            )
        requester_hits = sorted(requester_areas & areas.keys())
        if requester_hits:
            score += REQUESTER_POINTS
            reasons.append(
                _("相談者の区分に合う専門分野: %(areas)s")
                % {"areas": join_list(areas[s].localized_name for s in requester_hits)}
            )
        if supporter.open_load:
            score -= min(supporter.open_load, 3) * LOAD_PENALTY
            reasons.append(_("対応中の相談: %(count)s件") % {"count": supporter.open_load})
        else:
            reasons.append(_("対応中の相談はありません"))
        if supporter.rated:
            share = supporter.rated_useful / supporter.rated
            score += round((share - 0.5) * 2 * SURVEY_POINTS)
            reasons.append(
                _("過去の相談者の評価: %(useful)s/%(rated)s件が「役に立った」「やや役に立った」")
                % {"useful": supporter.rated_useful, "rated": supporter.rated}
            )
        suggestions.append(
            Suggestion(supporter=supporter, score=max(0, min(score, 100)), reasons=reasons)
        )
    suggestions.sort(key=lambda s: (-s.score, s.supporter.kind, s.supporter.sort_key))
    return suggestions[:limit]
