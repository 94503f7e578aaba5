"""Factories for procedures: recognisable test codes (TP-…), a test division each."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from procedures.models import InventorySurvey, Procedure, ProcedureEditor
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


class InventorySurveyFactory(DjangoModelFactory):
    """A survey record with the seed's totals (the nesting rules hold)."""

    class Meta:
        model = InventorySurvey

    title = factory.Sequence(lambda n: f"テスト調査{n}")
    conducted_from = date(2021, 12, 14)
    conducted_to = date(2022, 1, 14)
    published_on = date(2022, 4, 1)
    all_procedures = 4273
    all_applications = 987_514
    own_procedures = 1337
    own_procedures_over_100 = 111
    priority_procedures = 75
    priority_applications = 110_145


def admin_form_data(procedure: Procedure, **changes) -> dict:
    """What the admin's change form posts for `procedure`, with `changes` ("" leaves a field
    empty)."""
    data = {
        "code": procedure.code,
        "name": procedure.name,
        "form_name": procedure.form_name,
        "division": procedure.division_id,
        "kind": procedure.kind,
        "annual_applications": procedure.annual_applications,
        "applications_fiscal_year": "",
        "is_priority": "on" if procedure.is_priority else "",
        "plan": procedure.plan,
        "planned_fiscal_year": procedure.planned_fiscal_year or "",
        "adjustment_reason": procedure.adjustment_reason,
        "status": procedure.status,
        "digitised_on": procedure.digitised_on.isoformat() if procedure.digitised_on else "",
        "online_url": procedure.online_url,
        "online_applications": procedure.online_applications or "",
        "notes": procedure.notes,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}
