"""The personal-data guard across the admin: a manager (管理職（KPI閲覧）) reads consultations
and seminars for the figures but never a person's details — on no admin page, in no search,
filter or export. Center staff, who hold view_personal_data, see them (the control that shows
the checks can catch a leak).

Every admin URL of the guarded apps is discovered from the admin itself (each ModelAdmin's
get_urls, custom pages included), so a page added later is checked without editing this test.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations import services as consultation_services
from consultations.models import Consultation, Status
from mie_dx.people import RequesterType
from mie_dx.surveys import answer_survey
from seminars import services as seminar_services
from seminars.models import Attendance, Registration, SeminarSurvey
from tests.advisors.factories import SupporterFactory
from tests.consultations.factories import requester_details
from tests.seminars.factories import SeminarFactory
from tests.seminars.factories import details as person_details

pytestmark = pytest.mark.django_db

# A consultation's requester: an individual, so the organisation names them too.
NAME = "漏洩 確認子"
KANA = "ロウエイ　カクニンコ"
ORGANIZATION = "漏洩確認子の工房"
EMAIL = "guard-leak-7q@example.jp"
OLD_EMAIL = "guard-old-7q@example.jp"  # staff corrected it in the admin
PHONE = "059-987-6543"
ATTACHMENT = "guard-secret-plan-7q.pdf"
STATUS_NOTE = f"{NAME}さんに電話で確認済み"
INTERNAL_NOTE = "本人は夜間のみ連絡可（内部メモ guard-note-7q）"
ADVICE = "工房の受注台帳を確認した（助言 guard-advice-7q）"
DECLINE = "相談者と取引があるため辞退（guard-decline-7q）"
SURVEY_COMMENT = f"{NAME}です。とても助かりました（guard-survey-7q）"

# A seminar registrant who asked for an individual consultation.
SEMINAR_NAME = "漏洩 セミナー次郎"
SEMINAR_KANA = "ロウエイ　セミナージロウ"
SEMINAR_ORGANIZATION = "漏洩セミナー次郎の会"
SEMINAR_EMAIL = "guard-seminar-7q@example.jp"
SEMINAR_PHONE = "059-987-1111"
# The topic becomes the description of the linked consultation, which managers read like any
# consultation's title and description (what the case is about; the list of personal
# data they may not see does not include it, and they filter cases by it).
TOPIC = "教室の予約管理を相談したい"
SEMINAR_COMMENT = f"{SEMINAR_NAME}より。次回も参加します（guard-seminar-survey-7q）"

# What a manager must never see; center staff see each of these somewhere in the admin.
PERSONAL = (
    NAME,
    KANA,
    ORGANIZATION,
    EMAIL,
    OLD_EMAIL,
    PHONE,
    ATTACHMENT,
    STATUS_NOTE,
    INTERNAL_NOTE,
    ADVICE,
    DECLINE,
    SURVEY_COMMENT,
    SEMINAR_NAME,
    SEMINAR_KANA,
    SEMINAR_ORGANIZATION,
    SEMINAR_EMAIL,
    SEMINAR_PHONE,
    SEMINAR_COMMENT,
)
# Fragments that would betray the same data in another form.
FRAGMENTS = (
    "guard-leak-7q",
    "guard-old-7q",
    "guard-seminar-7q",
    "guard-secret-plan-7q",
    "guard-note-7q",
    "guard-advice-7q",
    "guard-decline-7q",
    "guard-survey-7q",
    "guard-seminar-survey-7q",
    PHONE.replace("-", ""),
    SEMINAR_PHONE.replace("-", ""),
    "確認子",
    "セミナー次郎",
)
SECRETS = PERSONAL + FRAGMENTS

GUARDED_APPS = ("consultations", "seminars", "mie_dx")
# Search terms a manager might type: none may find a row through a personal field.
SEARCHES = (EMAIL, NAME, PHONE, SEMINAR_EMAIL, SEMINAR_NAME)
# 405: a POST-only page (the import confirmation) opened with GET.
ALLOWED_STATUSES = {200, 302, 403, 404, 405}


@pytest.fixture(autouse=True)
def _private_media(private_media):
    return private_media


@dataclass
class World:
    closed: Consultation
    open: Consultation
    linked: Consultation
    registration: Registration


@pytest.fixture
def world(center_staff, django_capture_on_commit_callbacks) -> World:
    """A closed consultation with every kind of personal text, an open one in matching, and a
    seminar registration (with its linked consultation and answered survey)."""
    staff_client = Client()
    staff_client.force_login(center_staff)
    first, second = SupporterFactory(), SupporterFactory()
    person = {
        "requester_type": RequesterType.INDIVIDUAL,
        "organization": ORGANIZATION,
        "name": NAME,
        "name_kana": KANA,
        "phone": PHONE,
        "title": "工房の受注管理のデジタル化",
        "description": "受注を紙で管理しており、手間がかかっている。",
    }
    with django_capture_on_commit_callbacks(execute=True):
        closed = consultation_services.submit_consultation(
            details=requester_details(**person, email=OLD_EMAIL),
            attachment=SimpleUploadedFile(ATTACHMENT, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n"),
        )
        # Staff correct the address in the admin (Django's history has an entry).
        form = {
            name: getattr(closed, name)
            for name in (
                "requester_type",
                "organization",
                "name",
                "name_kana",
                "phone",
                "municipality",
                "category",
                "title",
                "description",
            )
        }
        change = reverse("admin:consultations_consultation_change", args=[closed.pk])
        assert staff_client.post(change, {**form, "email": EMAIL}).status_code == 302
        consultation_services.change_status(
            consultation=closed, to_status=Status.TRIAGE, by=center_staff, note=STATUS_NOTE
        )
        consultation_services.add_internal_note(
            consultation=closed, by=center_staff, body=INTERNAL_NOTE
        )
        consultation_services.change_status(
            consultation=closed, to_status=Status.MATCHING, by=center_staff
        )
        proposed, declined = consultation_services.assign_supporters(
            consultation=closed, supporters=[first, second], by=center_staff
        )
        consultation_services.respond_to_assignment(
            assignment=declined, accept=False, reason=DECLINE
        )
        consultation_services.record_advice(
            assignment=proposed, held_on=timezone.localdate(), summary=ADVICE, by_supporter=True
        )
        consultation_services.change_status(
            consultation=closed, to_status=Status.CLOSED, by=center_staff
        )
        answer_survey(
            survey=Consultation.objects.get(pk=closed.pk).survey,
            rating="useful",
            comment=SURVEY_COMMENT,
        )

        still_open = consultation_services.submit_consultation(
            details=requester_details(**person, email=EMAIL)
        )
        for status in (Status.TRIAGE, Status.MATCHING):
            consultation_services.change_status(
                consultation=still_open, to_status=status, by=center_staff
            )

        seminar = SeminarFactory()
        registration = seminar_services.register(
            seminar=seminar,
            details=person_details(
                requester_type=RequesterType.INDIVIDUAL,
                organization=SEMINAR_ORGANIZATION,
                name=SEMINAR_NAME,
                name_kana=SEMINAR_KANA,
                email=SEMINAR_EMAIL,
                phone=SEMINAR_PHONE,
            ),
            attendance=Attendance.ONSITE,
            wants_consultation=True,
            consultation_topic=TOPIC,
        ).registration
        seminar_services.assign_consultation_slots(
            seminar=seminar, registrations=None, by=center_staff
        )
        assert seminar_services.send_surveys(now=seminar.ends_at + timedelta(hours=2)) == 1
        answer_survey(
            survey=SeminarSurvey.objects.get(registration=registration),
            rating="somewhat_useful",
            comment=SEMINAR_COMMENT,
        )
    closed.refresh_from_db()
    still_open.refresh_from_db()
    registration.refresh_from_db()
    assert closed.status == Status.CLOSED and still_open.status == Status.MATCHING
    return World(
        closed=closed, open=still_open, linked=registration.consultation, registration=registration
    )


# --- Discovering and reading every admin page -----------------------------------------------


@dataclass
class Page:
    url: str
    status: int
    body: str
    result_count: int | None = None
    searched: str = ""

    def leaks(self) -> list[str]:
        """The secrets on the page (a search box shows back what was typed: not a leak)."""
        return [s for s in SECRETS if s in self.body and s not in self.searched]


def _route_parameters(obj, parameters: set[str], url_name: str) -> list[dict]:
    if parameters <= {"object_id", "pk"}:
        return [{name: obj.pk if name == "pk" else str(obj.pk) for name in parameters}]
    if parameters == {"pk", "assignment_pk"}:
        return [{"pk": obj.pk, "assignment_pk": a.pk} for a in obj.assignments.all()]
    raise AssertionError(
        f"admin URL {url_name!r} takes {sorted(parameters)}: teach this test to fill them"
    )


def admin_urls() -> list[tuple[str, str]]:
    """(url name, url) of every admin page of the guarded apps, for every object stored."""
    urls = [("index", reverse("admin:index"))]
    for label in GUARDED_APPS:
        urls.append(("app_list", reverse("admin:app_list", kwargs={"app_label": label})))
        for model in apps.get_app_config(label).get_models():
            if not admin.site.is_registered(model):
                continue
            model_admin = admin.site.get_model_admin(model)
            objects = list(model._default_manager.order_by("pk")[:30])
            for pattern in model_admin.get_urls():
                if not pattern.name:
                    continue  # Django's old change URL, a redirect to the change page
                parameters = set(pattern.pattern.converters)
                name = f"admin:{pattern.name}"
                if not parameters:
                    base = reverse(name)
                    urls.append((pattern.name, base))
                    if pattern.name.endswith(("_changelist", "_export")):
                        urls += [
                            (pattern.name, f"{base}?{urlencode({'q': term})}") for term in SEARCHES
                        ]
                    continue
                for obj in objects:
                    for kwargs in _route_parameters(obj, parameters, pattern.name):
                        urls.append((pattern.name, reverse(name, kwargs=kwargs)))
    return urls


def crawl(client) -> list[Page]:
    pages = []
    for _name, url in admin_urls():
        response = client.get(url)
        searched = ""
        if "?q=" in url:
            searched = next(t for t in SEARCHES if url.endswith(urlencode({"q": t})[2:]))
        context = response.context or {}
        changelist = context.get("cl") if response.status_code == 200 else None
        pages.append(
            Page(
                url=url,
                status=response.status_code,
                body=response.content.decode("utf-8", errors="replace"),
                result_count=changelist.result_count if changelist is not None else None,
                searched=searched,
            )
        )
    return pages


# --- The manager ----------------------------------------------------------------------------


def test_a_manager_sees_no_personal_data_on_any_admin_page(client, manager, world):
    # The discovery reaches the custom pages of both admins, not only Django's own.
    assert {name for name, _url in admin_urls()} >= {
        "consultations_transition",
        "consultations_note",
        "consultations_match",
        "consultations_advice",
        "consultations_export",
        "consultations_consultation_history",
        "seminars_checkin",
        "seminars_cancel",
        "seminars_registration_export",
        "seminars_seminarsurvey_change",
        "mie_dx_notification_change",
    }
    client.force_login(manager)

    pages = crawl(client)

    errors = [f"{p.status} {p.url}" for p in pages if p.status not in ALLOWED_STATUSES]
    assert not errors, "unexpected statuses:\n" + "\n".join(errors)
    leaks = [f"{p.url}: {p.leaks()}" for p in pages if p.status == 200 and p.leaks()]
    assert not leaks, "a manager sees personal data:\n" + "\n".join(leaks)

    # The manager's pages were really read (so the absence above means something) ...
    opened = {p.url for p in pages if p.status == 200}
    for pk in (world.closed.pk, world.open.pk, world.linked.pk):
        assert reverse("admin:consultations_consultation_change", args=[pk]) in opened
        assert reverse("admin:consultations_consultation_history", args=[pk]) in opened
    assert {
        reverse("admin:index"),
        reverse("admin:app_list", kwargs={"app_label": "consultations"}),
        reverse("admin:app_list", kwargs={"app_label": "seminars"}),
        reverse("admin:consultations_consultation_changelist"),
        reverse("admin:consultations_export"),
        reverse("admin:consultations_survey_changelist"),
        reverse("admin:consultations_survey_change", args=[world.closed.survey.pk]),
        reverse("admin:seminars_seminar_changelist"),
        reverse("admin:seminars_seminar_change", args=[world.registration.seminar_id]),
        reverse("admin:seminars_seminarsurvey_changelist"),
        reverse("admin:seminars_seminarsurvey_change", args=[world.registration.survey.pk]),
    } <= opened
    # ... and the pages about people themselves stay closed to them.
    refused = {p.url for p in pages if p.status == 403}
    assert {
        reverse("admin:seminars_registration_changelist"),
        reverse("admin:seminars_registration_change", args=[world.registration.pk]),
        reverse("admin:seminars_registration_export"),
        reverse("admin:seminars_checkin", args=[world.registration.seminar_id]),
        reverse("admin:consultations_match", args=[world.open.pk]),
        reverse("admin:mie_dx_notification_changelist"),
    } <= refused


def test_a_managers_search_never_matches_a_personal_field(client, manager, center_staff, world):
    client.force_login(manager)
    changelist = reverse("admin:consultations_consultation_changelist")
    for term in SEARCHES:
        # Every case (the list shows open ones by default; the world's first one is closed).
        response = client.get(changelist, {"q": term, "case": "all"})
        assert response.status_code == 200
        assert response.context["cl"].result_count == 0, term
    # A search on what is not personal still works for them.
    response = client.get(changelist, {"q": world.closed.reference, "case": "all"})
    assert response.context["cl"].result_count == 1
    # The export follows the same search: the header row only.
    export = client.get(reverse("admin:consultations_export"), {"q": EMAIL, "case": "all"})
    assert export.status_code == 200
    assert len(export.content.decode("utf-8-sig").splitlines()) == 1

    # The same search finds the requester for center staff.
    client.force_login(center_staff)
    response = client.get(changelist, {"q": EMAIL, "case": "all"})
    assert response.context["cl"].result_count == 2


# URL lookups on a personal field (directly or through a relation) would reveal it through
# the counts: refused (400) for a manager.
REFUSED_FOR_MANAGERS = [
    ("admin:consultations_consultation_changelist", "email__startswith", "guard-leak"),
    ("admin:consultations_consultation_changelist", "email", EMAIL),
    ("admin:consultations_consultation_changelist", "name__contains", "漏洩"),
    ("admin:consultations_consultation_changelist", "name_kana__startswith", "ロウエイ"),
    ("admin:consultations_consultation_changelist", "phone", PHONE),
    ("admin:consultations_consultation_changelist", "organization__icontains", "工房"),
    ("admin:consultations_consultation_changelist", "attachment_name__contains", "guard"),
    ("admin:consultations_consultation_changelist", "internal_notes__body__contains", "guard"),
    ("admin:consultations_consultation_changelist", "assignments__decline_reason__contains", "g"),
    ("admin:consultations_consultation_changelist", "survey__comment__contains", "guard"),
    ("admin:consultations_consultation_changelist", "status_changes__note__contains", "漏洩"),
    ("admin:consultations_export", "email__startswith", "guard-leak"),
    ("admin:consultations_export", "name__contains", "漏洩"),
    ("admin:consultations_survey_changelist", "comment__contains", "guard"),
    ("admin:consultations_survey_changelist", "consultation__email__startswith", "guard"),
    ("admin:seminars_seminarsurvey_changelist", "comment__contains", "guard"),
    ("admin:seminars_seminarsurvey_changelist", "registration__email__startswith", "guard"),
    ("admin:seminars_seminarsurvey_changelist", "registration__name__contains", "漏洩"),
]


@pytest.mark.parametrize(("url_name", "lookup", "value"), REFUSED_FOR_MANAGERS)
def test_a_url_lookup_on_a_personal_field_is_refused_for_a_manager(
    client, manager, world, url_name, lookup, value
):
    client.force_login(manager)
    response = client.get(reverse(url_name), {lookup: value})
    assert response.status_code == 400
    assert not [s for s in SECRETS if s in response.content.decode()]


@pytest.mark.parametrize(
    ("url_name", "lookup", "value", "found"),
    [
        ("admin:consultations_consultation_changelist", "email__startswith", "guard-leak", 2),
        ("admin:consultations_consultation_changelist", "name__contains", "漏洩", 3),
        ("admin:seminars_registration_changelist", "email__startswith", "guard-seminar", 1),
    ],
)
def test_the_same_lookup_is_allowed_for_center_staff(
    client, center_staff, world, url_name, lookup, value, found
):
    client.force_login(center_staff)
    # `case=all`: the consultation list shows open cases unless asked (registrations ignore it).
    params = {lookup: value, "case": "all"} if "consultation" in url_name else {lookup: value}
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    assert response.context["cl"].result_count == found


def test_center_staff_export_the_personal_columns_managers_do_not_get(
    client, center_staff, manager, world
):
    url = reverse("admin:consultations_export")
    client.force_login(center_staff)
    staff_csv = client.get(url, {"email__startswith": "guard-leak", "case": "all"}).content.decode(
        "utf-8-sig"
    )
    client.force_login(manager)
    manager_csv = client.get(url, {"case": "all"}).content.decode("utf-8-sig")

    assert EMAIL in staff_csv and NAME in staff_csv and PHONE in staff_csv
    assert world.closed.reference in manager_csv
    assert not [s for s in SECRETS if s in manager_csv]


# --- The control: the same crawl finds the data where it may be shown -----------------------


def test_center_staff_see_the_personal_data_the_guard_hides(client, center_staff, world):
    client.force_login(center_staff)

    pages = crawl(client)

    errors = [f"{p.status} {p.url}" for p in pages if p.status not in ALLOWED_STATUSES]
    assert not errors, "unexpected statuses:\n" + "\n".join(errors)
    by_url = {p.url: p for p in pages}
    change = by_url[reverse("admin:consultations_consultation_change", args=[world.closed.pk])]
    assert change.status == 200
    for value in (NAME, KANA, ORGANIZATION, EMAIL, PHONE, ATTACHMENT, STATUS_NOTE):
        assert value in change.body, value
    for value in (INTERNAL_NOTE, ADVICE, DECLINE, SURVEY_COMMENT):
        assert value in change.body, value
    registration = by_url[
        reverse("admin:seminars_registration_change", args=[world.registration.pk])
    ]
    assert registration.status == 200
    for value in (SEMINAR_NAME, SEMINAR_KANA, SEMINAR_EMAIL, SEMINAR_PHONE, TOPIC):
        assert value in registration.body, value
    # Every value the manager test looks for is shown somewhere to those allowed to see it,
    # so the manager's pages not showing them is the guard at work, not a blind test.
    shown = "\n".join(p.body for p in pages if p.status == 200)
    assert not [value for value in PERSONAL if value not in shown]
