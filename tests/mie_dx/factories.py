"""Factories for the core's organisation: 部局 and 所属 with recognisable test codes."""

import factory
from factory.django import DjangoModelFactory

from mie_dx.models import Department, Division


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:02d}")
    name = factory.Sequence(lambda n: f"テスト部{n}")
    first_fiscal_year = 2021


class DivisionFactory(DjangoModelFactory):
    class Meta:
        model = Division

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"テスト課{n}")
    first_fiscal_year = 2021
