"""People who write to the center: the requester fields every app collects the same way.

A consultation's requester and a seminar's registrant give the same details (field names are
public contracts, spec.md). The abstract model holds them, with the consent and erasure
stamps; `PERSONAL_FIELDS` is what the personal-data guard hides and erasure blanks.
"""

from dataclasses import dataclass
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequesterType(models.TextChoices):
    INDIVIDUAL = "individual", _("個人（県民）")
    GROUP = "group", _("県民グループ")
    BUSINESS = "business", _("県内事業者")
    MUNICIPALITY = "municipality", _("市町")
    PREFECTURE = "prefecture", _("県")


# An organisation's name is required from these, and is not personal data for them.
ORGANIZATION_REQUIRED = frozenset(
    {
        RequesterType.GROUP,
        RequesterType.BUSINESS,
        RequesterType.MUNICIPALITY,
        RequesterType.PREFECTURE,
    }
)
# For these the organisation may name a person (a resident group's name): erased with them.
ORGANIZATION_IS_PERSONAL = frozenset({RequesterType.INDIVIDUAL, RequesterType.GROUP})


@dataclass(frozen=True)
class PersonDetails:
    """What a person gave about themselves on a public form, cleaned."""

    requester_type: str
    organization: str
    name: str
    name_kana: str
    email: str
    phone: str

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(cls.__dataclass_fields__)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        """From a form's cleaned_data (extra keys ignored; subclasses add their fields)."""
        return cls(**{name: data[name] for name in cls.field_names()})


class Requester(models.Model):
    """The requester fields, consent and erasure stamp, for a model that holds a person."""

    # The person's details: what erasure blanks (the organisation only for people) and what
    # each app's admin hides from staff without view_personal_data (PersonalDataAdminMixin).
    PERSONAL_FIELDS: tuple[str, ...] = ("name", "name_kana", "email", "phone", "organization")

    requester_type = models.CharField(_("区分"), max_length=16, choices=RequesterType.choices)
    organization = models.CharField(_("団体・事業者・所属名"), max_length=200, blank=True)
    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("フリガナ"), max_length=100)
    email = models.EmailField(_("メールアドレス"), max_length=254)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    language = models.CharField(
        _("連絡に使う言語"), max_length=8, choices=settings.LANGUAGES, default="ja"
    )
    privacy_consent_at = models.DateTimeField(_("個人情報の取扱いへの同意日時"), null=True)
    personal_data_erased_at = models.DateTimeField(_("個人情報の削除日時"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_erased(self) -> bool:
        return self.personal_data_erased_at is not None

    def fields_to_erase(self) -> list[str]:
        """What erasure blanks of this person: every personal field, the organisation only
        for an individual or a resident group (a business, a municipality or the prefecture
        keeps its name: it is no person's, and the figures count it)."""
        return [
            field
            for field in self.PERSONAL_FIELDS
            if field != "organization" or self.requester_type in ORGANIZATION_IS_PERSONAL
        ]
