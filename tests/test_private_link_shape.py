"""Private links are matched by the exact shape of their token (<token:token>): anything else
is a 404 before a view or the database sees it."""

import pytest

from mie_dx.tokens import new_token

LINK_KINDS = [
    "/consultations/status/{}/",
    "/consultations/survey/{}/",
    "/consultations/supporter/{}/",
    "/seminars/manage/{}/",
    "/seminars/survey/{}/",
]
GOOD_SHAPE = new_token()
MALFORMED = {
    "nul": "%00",
    "nul inside": GOOD_SHAPE[:20] + "%00" + GOOD_SHAPE[21:],
    "too short": GOOD_SHAPE[:42],
    "too long": GOOD_SHAPE + "A",
    "far too long": "A" * 5000,
    "non-ASCII": "あ" * 43,
    "wrong alphabet": GOOD_SHAPE[:42] + ".",
    "space": GOOD_SHAPE[:42] + "%20",
    "slash": GOOD_SHAPE[:20] + "%2F" + GOOD_SHAPE[21:],
}


@pytest.mark.django_db
@pytest.mark.parametrize("link", LINK_KINDS)
@pytest.mark.parametrize("token", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_token_is_a_404_without_asking_the_database(
    client, django_assert_num_queries, link, token
):
    with django_assert_num_queries(0):
        get = client.get(link.format(token))
        post = client.post(link.format(token), {"rating": "useful"})

    assert get.status_code == 404
    assert post.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("link", LINK_KINDS)
def test_a_well_formed_unknown_token_is_a_404_too(client, link):
    assert client.get(link.format(new_token())).status_code == 404


# --- The admin's "view on site" redirect ----------------------------------------------------


@pytest.mark.django_db
def test_view_on_site_redirects_only_staff_who_may_view_the_object(
    client, center_staff, training_officer
):
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    from seminars.models import Seminar
    from tests.seminars.factories import SeminarFactory

    draft = SeminarFactory(status="draft", slug="secret-draft")
    url = reverse(
        "admin:view_on_site", args=[ContentType.objects.get_for_model(Seminar).pk, draft.pk]
    )

    client.force_login(training_officer)
    refused = client.get(url)
    client.force_login(center_staff)
    allowed = client.get(url)

    assert refused.status_code == 404
    assert "secret-draft" not in refused.get("Location", "")
    assert allowed.status_code == 302
    assert allowed["Location"].endswith("/seminars/secret-draft/")


# --- A budget on the private links' POSTs ----------------------------------------------------


@pytest.mark.django_db
def test_private_link_posts_have_a_per_address_budget_that_mistakes_do_not_use(client, settings):
    from consultations.models import Assignment
    from tests.consultations.factories import AssignmentFactory

    settings.PUBLIC_POST_RATE = "2/h"
    urls = []
    for _ in range(3):
        assignment = AssignmentFactory(consultation__status="advising")
        urls.append(f"/consultations/supporter/{assignment.token}/")

    # A form with a mistake (no decision) is shown again and does not count.
    for _ in range(5):
        assert client.post(urls[0], {"action": "respond"}).status_code == 400
    answers = [client.post(url, {"action": "respond", "decision": "accept"}) for url in urls]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "短時間に多くの送信がありました" in answers[2].content.decode()
    assert Assignment.objects.filter(state="accepted").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/training/departments/D%00/", 404),
        ("/admin/consultations/consultation/?q=%00", 400),
        ("/seminars/?page=%00", 400),
        ("/kpi/10-1-a/?fy=%00", 400),
    ],
)
def test_a_nul_anywhere_in_the_address_is_refused_not_a_server_error(
    client, superuser, url, status
):
    client.force_login(superuser)
    assert client.get(url).status_code == status
