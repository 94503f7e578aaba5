"""Factories for supporters. Contact addresses are recognisable so tests can prove they stay private."""

import factory
from factory.django import DjangoModelFactory

from advisors.models import FIRST_TERM_FY, ExpertiseArea, Supporter


class ExpertiseAreaFactory(DjangoModelFactory):
    class Meta:
        model = ExpertiseArea
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"分野{n}")
    name_en = factory.Sequence(lambda n: f"Area {n}")
    display_order = factory.Sequence(lambda n: n)


class SupporterFactory(DjangoModelFactory):
    """An active advisor registered from R4; pass expertise=[area, ...] to tag it."""

    class Meta:
        model = Supporter
        skip_postgeneration_save = True

    kind = Supporter.Kind.ADVISOR
    name = factory.Sequence(lambda n: f"三重 太郎{n}")
    name_kana = factory.Sequence(lambda n: f"みえ たろう{n}")
    sort_key = factory.LazyAttribute(lambda o: o.name_kana)
    slug = factory.Sequence(lambda n: f"advisor-{n:04d}")
    affiliation = "株式会社サンプル 代表取締役\n一般社団法人サンプル 理事"
    term_start_fy = FIRST_TERM_FY
    term_end_fy = None
    is_active = True
    profile = "株式会社サンプル 代表取締役。"
    contact_email = factory.Sequence(lambda n: f"private-contact-{n}@example.jp")

    @factory.post_generation
    def expertise(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.expertise.set(extracted)


class PartnerFactory(SupporterFactory):
    kind = Supporter.Kind.PARTNER
    name = factory.Sequence(lambda n: f"サンプル株式会社{n}")
    name_kana = ""
    sort_key = factory.Sequence(lambda n: f"さんぷる{n:04d}")
    slug = factory.Sequence(lambda n: f"partner-{n:04d}")
    affiliation = ""
    profile = "みえDXパートナーズ登録企業。"
