"""What a prefecture site has (issue 11): contact, privacy policy, accessibility statement,
site policy and FAQ, linked from every page's footer; the next seminar on the home page; the
language switch outside the phone menu; 「この分野で相談する」 on a supporter's page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.advisors.factories import ExpertiseAreaFactory, SupporterFactory
from tests.consultations.helpers import element_text
from tests.seminars.factories import SeminarFactory

pytestmark = pytest.mark.django_db

INFO_PAGES = [
    pytest.param("pages:contact", "お問い合わせ・所在地", id="contact"),
    pytest.param("pages:privacy", "個人情報の取扱い（プライバシーポリシー）", id="privacy"),
    pytest.param("pages:accessibility", "ウェブアクセシビリティ方針", id="accessibility"),
    pytest.param("pages:site_policy", "サイトポリシー", id="site-policy"),
    pytest.param("pages:faq", "よくある質問", id="faq"),
]


@pytest.mark.parametrize(("name", "heading"), INFO_PAGES)
def test_each_information_page_is_served_and_linked_from_the_footer(
    client, django_assert_num_queries, name, heading
):
    url = reverse(name)
    with django_assert_num_queries(0):
        response = client.get(url)

    assert response.status_code == 200
    assert f'<h1 class="h2 mb-4">{heading}</h1>' in response.content.decode()
    home = client.get("/").content.decode()
    footer = home[home.index('<footer class="site-footer') :]
    assert f'href="{url}"' in footer


def test_the_privacy_policy_states_the_settings_not_a_vague_period(client, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 3 * 365
    settings.BACKUP_KEEP_DAYS = 35
    page = client.get(reverse("pages:privacy")).content.decode()

    assert "3年を過ぎた個人情報は、自動的に削除します" in page
    # Backups (manage.py backup) and erasures re-applied after a restore (mie_dx.backup).
    assert "バックアップは35日で消去します" in page
    assert "90日で使えなくなります" in page  # PRIVATE_LINK_DAYS_AFTER_END
    assert "一定期間" not in page
    assert "059-224-3086" in page


def test_the_accessibility_statement_states_a_target_not_a_conformance_claim(client):
    page = client.get(reverse("pages:accessibility")).content.decode()

    assert "JIS X 8341-3:2016" in page
    assert "適合レベルAAに準拠することを目標としています" in page
    assert "axe-core" in page


def test_the_contact_page_uses_only_known_facts(client):
    page = client.get(reverse("pages:contact")).content.decode()

    assert "みえDXセンター事務局（三重県デジタル社会推進局デジタル戦略企画課内）" in page
    assert 'href="tel:059-224-3086"' in page
    assert 'href="mailto:dxcenter@pref.mie.lg.jp"' in page
    # Opening hours and the office address are not in the source: the page says to call.
    assert "お電話でお問い合わせください" in page
    assert "https://www.pref.mie.lg.jp/D1DIGITAL/mie_dx_center.htm" in page


def test_the_home_page_shows_the_next_seminar(client, django_assert_num_queries):
    today = timezone.localdate()
    SeminarFactory(title="過去の回", date=today - timedelta(days=10))
    SeminarFactory(title="次の回", date=today + timedelta(days=5))
    SeminarFactory(title="その次の回", date=today + timedelta(days=40))

    with django_assert_num_queries(1):
        page = client.get("/").content.decode()

    section = element_text(page, "next-seminar")
    assert "次の回" in section
    assert "その次の回" not in section and "過去の回" not in section
    assert "残り20席" in section


def test_the_home_page_without_an_upcoming_seminar_says_so(client):
    page = client.get("/").content.decode()

    assert "現在、申込みを受け付けているセミナーはありません" in element_text(page, "next-seminar")


def test_the_language_switch_is_outside_the_collapsed_menu_and_needs_no_script(client):
    page = client.get("/").content.decode()

    switch = page.index('class="language-switcher')
    assert switch < page.index('id="site-nav"')
    assert '<button type="submit" name="language" value="en" lang="en"' in page
    response = client.post(reverse("set_language"), {"language": "en", "next": "/faq/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/faq/").content.decode()


def test_a_supporter_page_offers_to_consult_in_its_fields(client):
    area = ExpertiseAreaFactory(slug="open-data", name="オープンデータ")
    supporter = SupporterFactory(expertise=[area])

    page = client.get(supporter.get_absolute_url()).content.decode()

    link = f"{reverse('consultations:new')}?expertise=open-data"
    assert f'href="{link}"' in page
    assert "「オープンデータ」の分野で相談する" in page
    assert "役職等は令和4年4月1日現在。" in element_text(page, "roles-as-of")
    form = client.get(link).content.decode()
    assert 'value="「オープンデータ」について相談したい"' in form
