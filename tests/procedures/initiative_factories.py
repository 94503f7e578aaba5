"""Factories for the joint initiatives with the municipalities (test codes TJ-…)."""

import factory
from factory.django import DjangoModelFactory

from procedures.models import JointInitiative, JointInitiativeMunicipality


class JointInitiativeFactory(DjangoModelFactory):
    """An initiative started in R4 at the council, not public. Its municipalities are given
    with `municipalities=[...]` (rows written directly: a test may build what the services
    refuse, such as an initiative with one municipality)."""

    class Meta:
        model = JointInitiative
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"TJ-{n:05d}")
    title = factory.Sequence(lambda n: f"テスト取組{n}")
    fiscal_year_started = 2022
    kind = JointInitiative.Kind.JOINT_PROCUREMENT
    forum = JointInitiative.Forum.COUNCIL
    status = JointInitiative.Status.IN_PROGRESS

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        for value in extracted if extracted is not None else ["tsu", "ise"]:
            JointInitiativeMunicipality.objects.create(initiative=self, municipality=value)
