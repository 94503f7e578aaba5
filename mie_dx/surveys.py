"""The 4-point satisfaction survey (KPI 10-1 a): one model base, one form, one service.

Consultations and seminars each keep their own survey table (it belongs to their object) on
this base; the answering service and the view are shared.
"""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mie_dx.audit import log_action
from mie_dx.figures import KpiContribution, changelist_url, fiscal_year_of
from mie_dx.fiscal import fiscal_years_span
from mie_dx.links import PrivateLinkModel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Rating(models.TextChoices):
    USEFUL = "useful", _("役に立った")
    SOMEWHAT_USEFUL = "somewhat_useful", _("やや役に立った")
    NOT_VERY_USEFUL = "not_very_useful", _("あまり役に立たなかった")
    NOT_USEFUL = "not_useful", _("役に立たなかった")


USEFUL_RATINGS = (Rating.USEFUL, Rating.SOMEWHAT_USEFUL)


class SatisfactionSurvey(PrivateLinkModel):
    """A 4-point "did it help?" survey answered once through a private link."""

    PERSONAL_FIELDS: tuple[str, ...] = ("comment",)
    sent_at = models.DateTimeField(_("送信日時"), default=timezone.now)
    rating = models.CharField(_("評価"), max_length=20, choices=Rating, blank=True)
    comment = models.TextField(_("ご意見"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


_Survey = TypeVar("_Survey", bound=SatisfactionSurvey)


def answered_in(
    surveys: models.QuerySet[_Survey], fiscal_years: Sequence[int]
) -> models.QuerySet[_Survey]:
    """The surveys of `surveys` answered in those fiscal years (Asia/Tokyo)."""
    start, end = fiscal_years_span(fiscal_years)
    return surveys.filter(answered_at__gte=start, answered_at__lt=end).exclude(rating="")


class UsefulnessRow(TypedDict):
    fy: int
    answered: int
    useful: int


def usefulness_by_fiscal_year(
    surveys: models.QuerySet[SatisfactionSurvey], fiscal_years: Sequence[int]
) -> models.QuerySet[SatisfactionSurvey, UsefulnessRow]:
    """A row per fiscal year of the answer (KPI 10-1 a: 役に立った + やや役に立った among the
    answered), in one query."""
    return (
        answered_in(surveys, fiscal_years)
        .annotate(fy=fiscal_year_of("answered_at"))
        .values("fy")
        .annotate(answered=Count("pk"), useful=Count("pk", filter=Q(rating__in=USEFUL_RATINGS)))
        .order_by("fy")
    )


class SurveyError(Exception):
    """The answer cannot be recorded; the message is shown to the person."""


@transaction.atomic
def answer_survey(*, survey: _Survey, rating: str, comment: str = "") -> _Survey:
    """Record the answer to a satisfaction survey, once. Locks the survey row."""
    survey = type(survey)._default_manager.select_for_update().get(pk=survey.pk)
    if survey.is_answered:
        raise SurveyError(gettext("このアンケートにはすでにご回答いただいています。"))
    if rating not in Rating.values:
        raise SurveyError(gettext("いずれかを選んでください。"))
    survey.rating = rating
    survey.comment = comment
    survey.answered_at = timezone.now()
    survey.save(update_fields=["rating", "comment", "answered_at"])
    # The comment is the person's words: the log keeps only that there is one.
    log_action(survey, "survey.answered", data={"rating": rating, "comment": bool(comment)})
    return survey


# The KPI drill-down lists at most this many answers per source and year (the oldest first).
RECORDS_LIMIT = 1000


class UsefulnessSource:
    """KPI 10-1 a's source over one app's survey table (mie_dx.figures): answered
    役に立った / やや役に立った ÷ answered, by the fiscal year (Asia/Tokyo) of the answer, in
    one query for all the years; `records(fy)` lists the answers without personal data.

    An app declares one in its selectors (and names it in `kpi_sources`)::

        kpi_survey_usefulness = UsefulnessSource(
            Survey, label=_("相談の満足度アンケート"),
            changelist="admin:consultations_survey_changelist",
            related="consultation", reference=lambda survey: survey.consultation.reference,
            rule=_("…"),
        )
    """

    def __init__(
        self,
        model: type[SatisfactionSurvey],
        *,
        label: "StrOrPromise",
        changelist: str,
        related: str,
        reference: Callable[[Any], str],
        rule: "StrOrPromise",
    ) -> None:
        self.model, self.label, self.changelist = model, label, changelist
        self.related, self.reference, self.rule = related, reference, rule

    def __call__(self, fiscal_years: Sequence[int]) -> dict[int, KpiContribution]:
        today = timezone.localdate()
        return {
            row["fy"]: KpiContribution(
                numerator=row["useful"],
                denominator=row["answered"],
                url=changelist_url(self.changelist, "answered_at", row["fy"]),
                label=str(self.label),
                as_of=today,
            )
            for row in usefulness_by_fiscal_year(self.model._default_manager.all(), fiscal_years)
        }

    def records(self, fy: int) -> list[dict[str, Any]]:
        surveys = (
            answered_in(self.model._default_manager.all(), [fy])
            .select_related(self.related)
            .order_by("answered_at", "pk")[:RECORDS_LIMIT]
        )
        return [
            {
                "source": str(self.label),
                "reference": self.reference(survey),
                "date": timezone.localdate(survey.answered_at),
                "detail": survey.get_rating_display(),
            }
            for survey in surveys
        ]
