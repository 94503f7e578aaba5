"""Center staff at 1280 px: from the list to matching and a reply to the requester (issue 11).

The list shows open, real cases with a readable title; the case page shows the case and its
next step first; 「推薦を見る」 only looks (nothing moves), one button of its own takes a new
case to matching and the suggestions; asking a supporter leaves it 「マッチング（依頼中）」;
the reply reaches the requester's status page. axe (WCAG 2.1 A/AA) checks the list, the case page and the
suggestions; screenshots go to test-artifacts/consultation-staff-*.png.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Page, expect

from consultations import services
from consultations.models import Consultation, Status
from tests.advisors.factories import ExpertiseAreaFactory, SupporterFactory
from tests.browser.conftest import DESKTOP
from tests.consultations.factories import ConsultationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def center_staff(transactional_db, center_staff):
    center_staff.last_name, center_staff.first_name = "事務", "一郎"
    center_staff.save()
    return center_staff


def check(page: Page, console, artifacts, name: str) -> None:
    page.screenshot(path=artifacts / f"consultation-staff-{name}.png", full_page=True)
    page.screenshot(path=artifacts / f"consultation-staff-{name}-first-screen.png")
    # The page itself broke no CSP rule …
    assert console.csp_errors() == [], name
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"
    # … while axe-core, measuring the scrollable timeline panel, sets an inline style that
    # the CSP refuses (its own, not the portal's): forget those.
    console.errors.clear()


def test_staff_go_from_the_list_to_matching_and_reply_at_1280_px(
    page: Page, console, artifacts, center_staff, password, staff_sign_in
):
    SupporterFactory(
        name="関 治之",
        expertise=[ExpertiseAreaFactory(slug="business-dx", name="事業者のDX")],
        contact_email="seki@example.jp",
    )
    case = ConsultationFactory(
        title="現場作業員へのIT導入の進め方と、社内のデジタル化の進め方について",
        email="hanako@example.jp",
    )
    for n in range(12):
        ConsultationFactory(title=f"商店街のキャッシュレス決済の導入について（{n}）")
    ConsultationFactory(status=Status.CLOSED, title="完了した相談")
    ConsultationFactory(is_sample=True, title="【サンプル】見本の相談")
    mail.outbox.clear()

    assert page.viewport_size == DESKTOP
    staff_sign_in(page, center_staff, password, next_path="/admin/consultations/consultation/")
    console.errors.clear()  # the admin's login page asks for /favicon.ico (a 404)

    # --- The list: open, real cases; the title readable on one or two lines ---------------------
    title_cell = page.locator("#result_list td.field-title", has_text=case.title)
    expect(title_cell).to_be_visible()
    box = title_cell.bounding_box()
    assert box is not None and box["width"] >= 250, box
    row_height = page.locator("#result_list tbody tr").first.bounding_box()["height"]
    assert row_height < 80, row_height
    expect(page.get_by_text("完了した相談")).to_have_count(0)
    expect(page.get_by_text("【サンプル】見本の相談")).to_have_count(0)
    expect(page.locator("#result_list thead")).to_contain_text("センター担当者")
    rows_on_first_screen = page.evaluate(
        """() => [...document.querySelectorAll('#result_list tbody tr')]
                 .filter(tr => tr.getBoundingClientRect().bottom <= window.innerHeight).length"""
    )
    check(page, console, artifacts, "list")
    assert rows_on_first_screen >= 5, rows_on_first_screen

    # --- The case page: summary and next step first --------------------------------------------
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", name="次の手順")).to_be_visible()
    page.get_by_role("button", name="自分が担当する").click()
    expect(page.locator(".messagelist")).to_contain_text("センター担当者を「")
    check(page, console, artifacts, "case")

    # --- Looking at the suggestions moves nothing ---------------------------------------------
    page.get_by_role("link", name="推薦を見る", exact=True).click()
    expect(page.locator("#match-suggested")).to_contain_text("関 治之")
    expect(page.get_by_label("関 治之")).to_be_disabled()
    assert Consultation.objects.get(pk=case.pk).status == Status.RECEIVED
    check(page, console, artifacts, "suggestions-received")

    # --- Its own button: triage to matching in one step, back to the suggestions ---------------
    page.get_by_role("button", name="マッチングへ進む", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("状態を「マッチング」に変更しました。")
    expect(page.locator("#match-suggested")).to_contain_text("関 治之")
    check(page, console, artifacts, "match")
    page.get_by_label("関 治之").check()
    page.get_by_role("button", name="選んだアドバイザー等に依頼する").click()
    expect(page.locator(".messagelist")).to_contain_text("関 治之 に依頼しました。")
    # Asked, not accepted: still matching, and the next step says whose answer is awaited.
    expect(page.locator(".case-status")).to_have_text("マッチング（依頼中）")
    expect(page.locator(".case-next")).to_contain_text("関 治之 の回答を待っています（依頼中）")
    # The requester is not told before the supporter accepts.
    assert [m.to for m in mail.outbox] == [["seki@example.jp"]]

    # --- A reply to the requester --------------------------------------------------------------
    page.get_by_label("相談者への連絡（相談者の状況確認ページに表示されます）").fill(
        "関 治之 さんに依頼しました。引き受けのご連絡をお待ちください。"
    )
    page.get_by_role("button", name="相談者に送る").click()
    expect(page.locator(".messagelist")).to_contain_text("相談者に連絡しました")
    timeline = page.locator(".case-timeline")
    expect(timeline).to_contain_text("相談者への連絡（メール送信）（一郎 事務）")
    expect(timeline).to_contain_text("関 治之 に依頼（一郎 事務）")
    check(page, console, artifacts, "case-replied")
    reply_mail = [m for m in mail.outbox if m.to == ["hanako@example.jp"]]
    assert len(reply_mail) == 1 and "引き受けのご連絡をお待ちください" in reply_mail[0].body

    consultation = Consultation.objects.get(pk=case.pk)
    assert consultation.status == Status.MATCHING
    assert consultation.staff_in_charge == center_staff
    page.goto(f"/consultations/status/{consultation.private_token}/")
    expect(page.get_by_role("heading", name="センターからのご連絡")).to_be_visible()
    expect(page.get_by_text("引き受けのご連絡をお待ちください。")).to_be_visible()
    page.screenshot(path=artifacts / "consultation-staff-status-page.png", full_page=True)
    assert console.csp_errors() == []


def test_a_phone_only_case_says_so_on_the_case_page(
    page: Page, console, artifacts, center_staff, password, staff_sign_in
):
    consultation = ConsultationFactory(email="", name_kana="", phone="059-224-3086")
    services.set_staff_in_charge(consultation=consultation, staff=center_staff, by=center_staff)
    staff_sign_in(
        page,
        center_staff,
        password,
        next_path=f"/admin/consultations/consultation/{consultation.pk}/change/",
    )

    expect(page.get_by_text("電話（059-224-3086）で連絡してください。")).to_be_visible()
    expect(page.get_by_role("button", name="連絡を記録する")).to_be_visible()
    console.errors.clear()  # the admin's login page asks for /favicon.ico (a 404)
    check(page, console, artifacts, "phone-only")
