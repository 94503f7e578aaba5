"""acting_user: who a service records as having acted."""

import pytest
from django.contrib.auth.models import AnonymousUser

from mie_dx.users import acting_user


@pytest.mark.django_db
def test_the_signed_in_user_is_the_one_who_acted(center_staff):
    assert acting_user(center_staff) == center_staff


def test_nobody_acted_for_an_anonymous_visitor_or_a_task():
    assert acting_user(AnonymousUser()) is None
    assert acting_user(None) is None
