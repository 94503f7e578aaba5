"""Private links are matched by the exact shape of their token (<token:token>): anything else
is a 404 before a view or the database sees it."""

from datetime import timedelta

import pytest
from django.utils import timezone

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
        urls.append(f"/consultations/supporter/{assignment.private_token}/")

    # A form with a mistake (no decision) is shown again and does not count.
    for _ in range(5):
        assert client.post(urls[0], {"action": "respond"}).status_code == 400
    answers = [client.post(url, {"action": "respond", "decision": "accept"}) for url in urls]

    assert [a.status_code for a in answers] == [302, 302, 429]
    refused = answers[2]
    assert "短時間に多くの送信がありました" in refused.content.decode()
    # It says from when: now plus the Retry-After the response gives, in Japan's time.
    again = timezone.localtime() + timedelta(seconds=int(refused["Retry-After"]))
    page = refused.content.decode()
    assert f"{again:%H:%M}以降に" in page or f"{again - timedelta(minutes=1):%H:%M}以降に" in page
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


# --- The database holds no token ------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_holds_no_token_and_a_seed_opens_nothing(client, capture_mail):
    from django.db import connection

    from tests.consultations.factories import closed_consultation

    # The e-mails with the links are sent (a pending one holds its link until it goes out;
    # a sent one keeps only a masked copy).
    with capture_mail() as sent:
        consultation = closed_consultation()
    assert any(consultation.private_token in message.body for message in sent)
    survey = consultation.survey
    assignment = consultation.assignments.get()
    links = {
        f"/consultations/status/{consultation.private_token}/": consultation,
        f"/consultations/survey/{survey.private_token}/": survey,
        f"/consultations/supporter/{assignment.private_token}/": assignment,
    }
    for url, obj in links.items():
        assert client.get(url).status_code == 200, url
        token = url.rstrip("/").rsplit("/", 1)[1]
        # Nowhere in the database: not in any text column of any table.
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names():
                for column in connection.introspection.get_table_description(cursor, table):
                    cursor.execute(
                        f'SELECT count(*) FROM "{table}" WHERE "{column.name}"::text LIKE %s',  # noqa: S608 (names from introspection)
                        [f"%{token}%"],
                    )
                    assert cursor.fetchone()[0] == 0, (table, column.name)
        # What the database does hold — the seed — is no token.
        assert client.get(url.replace(token, obj.link_seed[:43])).status_code == 404


@pytest.mark.django_db
def test_a_token_opens_only_its_own_kind_of_link_and_a_tampered_one_nothing(client):
    from tests.consultations.factories import closed_consultation

    consultation = closed_consultation()
    survey = consultation.survey
    # Same ids, other kinds of link: nothing opens.
    assert client.get(f"/consultations/survey/{consultation.private_token}/").status_code == 404
    assert client.get(f"/consultations/status/{survey.private_token}/").status_code == 404
    token = consultation.private_token
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/consultations/status/{tampered}/").status_code == 404


@pytest.mark.django_db
def test_links_survive_a_secret_key_rotation_with_the_old_key_as_fallback(client, settings):
    from tests.consultations.factories import ConsultationFactory

    consultation = ConsultationFactory()
    url = f"/consultations/status/{consultation.private_token}/"

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 40

    assert client.get(url).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(url).status_code == 404
