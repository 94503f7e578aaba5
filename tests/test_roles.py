"""The staff roles created by the data migration, and what each may do."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from mie_dx.roles import ALL_ROLES, CENTER_STAFF
from tests.consultations.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ALL_ROLES)


def test_center_staff_triage_and_see_personal_data(client, center_staff):
    consultation = ConsultationFactory(name="見本 花子")
    client.force_login(center_staff)
    assert client.get(reverse("admin:consultations_consultation_changelist")).status_code == 200
    page = client.get(reverse("admin:consultations_consultation_change", args=[consultation.pk]))
    assert page.status_code == 200
    assert "見本 花子" in page.content.decode()
    assert center_staff.has_perm("consultations.change_status")
    assert client.get(reverse("admin:mie_dx_notification_changelist")).status_code == 200


def test_managers_read_consultations_without_personal_data(client, manager):
    consultation = ConsultationFactory(name="見本 花子", email="hanako@example.jp")
    client.force_login(manager)
    page = client.get(reverse("admin:consultations_consultation_change", args=[consultation.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert consultation.title in body
    assert "見本 花子" not in body
    assert "hanako@example.jp" not in body
    transition = reverse("admin:consultations_transition", args=[consultation.pk])
    assert client.post(transition, {"to_status": "triage"}).status_code == 403


def test_center_staff_group_cannot_delete_consultations(center_staff):
    assert not center_staff.has_perm("consultations.delete_consultation")
    assert Group.objects.get(name=CENTER_STAFF).permissions.filter(codename="view_personal_data")


def test_the_admin_index_links_each_role_to_its_pages(
    client, manager, training_officer, procedure_officer, center_staff
):
    links = {"/kpi/", "/training/", "/procedures/"}
    expected = {
        manager: {"/kpi/", "/training/", "/procedures/"},  # figures, no names
        training_officer: {"/training/"},
        procedure_officer: {"/procedures/"},
        center_staff: set(),
    }
    for user, shown in expected.items():
        client.force_login(user)
        page = client.get(reverse("admin:index")).content.decode()
        assert {link for link in links if f'href="{link}"' in page} == shown, user.username
