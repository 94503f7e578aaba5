"""Factories for procedures: recognisable test codes (TP-…), a test division each."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from procedures.models import Procedure, ProcedureEditor
from tests.mie_dx.factories import DivisionFactory


class ProcedureFactory(DjangoModelFactory):
    """A prefecture-own priority procedure, planned for R4, not started."""

    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"TP-{n:05d}")
    name = factory.Sequence(lambda n: f"テスト手続{n}")
    form_name = "申請書"
    division = factory.SubFactory(DivisionFactory)
    kind = Procedure.Kind.OWN
    annual_applications = 1000
    is_priority = True
    plan = Procedure.Plan.FISCAL_YEAR
    planned_fiscal_year = 2022
    status = Procedure.Status.NOT_STARTED

    class Params:
        digitised = factory.Trait(
            status=Procedure.Status.DIGITISED,
            digitised_on=date(2021, 10, 1),
            online_url=factory.LazyAttribute(lambda o: f"https://example.jp/apply/{o.code}"),
        )


class ProcedureEditorFactory(DjangoModelFactory):
    class Meta:
        model = ProcedureEditor

    division = factory.SubFactory(DivisionFactory)
