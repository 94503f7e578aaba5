"""Demo sign-in accounts: one per role under the local settings only, with a random password
printed by load_demo and kept on a rerun; production refuses them. The links in e-mails follow
the address `make run` serves."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from mie_dx.demo_users import DemoUsersRefused, ensure_demo_users
from mie_dx.roles import CENTER_STAFF, MANAGERS, PROCEDURE_OFFICERS, TRAINING_OFFICERS
from tests.test_security import manage, production_env

ROOT = Path(__file__).resolve().parent.parent.parent
USERNAMES = ["demo-admin", "demo-center", "demo-manager", "demo-training", "demo-procedures"]
SIGN_IN_LINE = re.compile(r"^\s+(demo-[a-z]+)\s+(\S+)\s", re.MULTILINE)


def load_demo(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_users_on(settings, staff_roles):
    settings.DEMO_USERS = True


@pytest.mark.django_db
def test_one_account_per_role_with_a_printed_password_that_signs_in(demo_users_on, client):
    output = load_demo()

    printed = dict(SIGN_IN_LINE.findall(output))
    assert sorted(printed) == sorted(USERNAMES)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=USERNAMES)}
    assert users["demo-admin"].is_superuser
    groups = {name: [g.name for g in users[name].groups.all()] for name in USERNAMES[1:]}
    assert groups == {
        "demo-center": [CENTER_STAFF],
        "demo-manager": [MANAGERS],
        "demo-training": [TRAINING_OFFICERS],
        "demo-procedures": [PROCEDURE_OFFICERS],
    }
    for name, user in users.items():
        assert user.is_staff
        assert user.check_password(printed[name])
        assert printed[name] not in user.password  # only the hash is stored
    assert len(set(printed.values())) == 5
    # Who must enrol an authenticator app is said.
    assert re.search(r"demo-center .*TOTP", output)
    assert not re.search(r"demo-manager .*TOTP", output)

    # The manager (no second factor) signs in with the printed password.
    response = client.post(
        "/admin/login/",
        {"username": "demo-manager", "password": printed["demo-manager"], "next": "/admin/"},
    )
    assert response.status_code == 302 and response.url == "/admin/"


@pytest.mark.django_db
def test_a_rerun_keeps_the_passwords_and_new_ones_are_on_request(demo_users_on):
    first = dict(SIGN_IN_LINE.findall(load_demo()))
    hashes = dict(get_user_model().objects.values_list("username", "password"))

    again = load_demo()
    assert dict(get_user_model().objects.values_list("username", "password")) == hashes
    assert "unchanged" in again and "--new-passwords" in again
    assert not any(password in again for password in first.values())

    renewed = dict(SIGN_IN_LINE.findall(load_demo("--new-passwords")))
    manager = get_user_model().objects.get(username="demo-manager")
    assert manager.check_password(renewed["demo-manager"])
    assert not manager.check_password(first["demo-manager"])


@pytest.mark.django_db
def test_without_the_local_settings_no_account_is_made(settings):
    settings.DEMO_USERS = False
    output = load_demo()

    assert "demo-" not in output
    assert not get_user_model().objects.filter(username__startswith="demo-").exists()
    with pytest.raises(CommandError, match="local settings"):
        call_command("load_demo", "--new-passwords")
    with pytest.raises(DemoUsersRefused):
        ensure_demo_users()


def settings_value(name: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    code = f"from django.conf import settings; print(settings.{name})"
    return manage("shell", "--no-imports", "-c", code, env=env)


def test_production_refuses_demo_accounts():
    result = manage("check", env=production_env(DEMO_USERS="1"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DEMO_USERS" in result.stderr

    result = settings_value("DEMO_USERS", production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def local_env(**overrides: str) -> dict[str, str]:
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(DJANGO_SETTINGS_MODULE="mie_dx.settings.local", **overrides)
    return env


def test_local_settings_make_demo_accounts_and_take_site_url_from_the_environment():
    result = settings_value("DEMO_USERS", local_env())
    assert result.stdout.strip() == "True", result.stderr
    result = settings_value("SITE_URL", local_env(SITE_URL="http://127.0.0.1:8110/"))
    assert result.stdout.strip() == "http://127.0.0.1:8110"


@pytest.mark.parametrize(
    ("arguments", "environment", "expected"),
    [
        pytest.param([], {}, "http://127.0.0.1:8000", id="default"),
        pytest.param(["PORT=8110"], {}, "http://127.0.0.1:8110", id="port"),
        pytest.param(["HOST=0.0.0.0", "PORT=8110"], {}, "http://127.0.0.1:8110", id="any-host"),
        pytest.param(
            ["PORT=8110"], {"SITE_URL": "https://dx.example.jp"}, "https://dx.example.jp", id="env"
        ),
    ],
)
def test_make_run_gives_the_served_address_to_every_step(arguments, environment, expected):
    # PY replaced by a command that prints what the steps would see (install taken as done).
    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"}
    env.update(environment)
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "-s", "-o", "install", "run", *arguments, "PY=printenv SITE_URL #"],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # migrate, load_demo and runserver all see it.
    assert result.stdout.split() == [expected] * 3


@pytest.mark.django_db
def test_the_demo_procedure_officer_edits_the_sample_divisions(demo_users_on):
    """So that the account can do its job (issue 21); an editor staff changed is kept."""
    from mie_dx.models import Division
    from procedures.models import ProcedureEditor

    load_demo()
    officer = get_user_model().objects.get(username="demo-procedures")
    samples = set(Division.objects.filter(is_sample=True).values_list("pk", flat=True))
    edited = set(ProcedureEditor.objects.filter(user=officer).values_list("division_id", flat=True))
    assert samples and edited == samples
    assert not ProcedureEditor.objects.exclude(user=officer).exists()

    kept = ProcedureEditor.objects.filter(user=officer).order_by("pk").first()
    ProcedureEditor.objects.filter(user=officer).exclude(pk=kept.pk).delete()
    load_demo()
    assert list(ProcedureEditor.objects.filter(user=officer)) == [kept]
