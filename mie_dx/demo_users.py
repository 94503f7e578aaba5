"""Sign-in accounts for trying the portal locally: one per staff role (`load_demo`).

Only where `DEMO_USERS` is on — the local settings (`make run`); the production settings refuse
to start with it on, and the test settings leave it off. Each account gets a random password
when it is created, printed once by `load_demo` and stored only as a hash; a rerun keeps it
(nothing changes) and says how to get new ones (`load_demo --new-passwords`).

The second factor is not relaxed for these accounts: the administrator, center staff and
training officer (who may see personal data) enrol an authenticator app at their first
sign-in, exactly as in production.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from mie_dx.roles import CENTER_STAFF, MANAGERS, PROCEDURE_OFFICERS, TRAINING_OFFICERS
from mie_dx.two_factor.policy import requires_second_factor


class DemoUsersRefused(Exception):
    """DEMO_USERS is off: these accounts are for local development only."""


# The procedure officer's account: the procedures app's demo makes it the editor of the sample
# divisions (procedures.demo.load_demo_editor), so that it can do its job.
DEMO_PROCEDURE_OFFICER = "demo-procedures"

# (username, name shown in the admin, role group or None for the superuser)
DEMO_ACCOUNTS: list[tuple[str, str, str | None]] = [
    ("demo-admin", "デモ（システム管理者）", None),
    ("demo-center", "デモ（センター事務局）", CENTER_STAFF),
    ("demo-manager", "デモ（管理職）", MANAGERS),
    ("demo-training", "デモ（人材育成担当）", TRAINING_OFFICERS),
    (DEMO_PROCEDURE_OFFICER, "デモ（行政手続担当）", PROCEDURE_OFFICERS),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    # The password in plain, only when it was set by this run; None when kept.
    password: str | None
    second_factor: bool


# Letters and digits only (easy to copy from a terminal), without the ones people confuse.
READABLE_CHARACTERS = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 16  # about 92 bits


def new_password() -> str:
    return "".join(secrets.choice(READABLE_CHARACTERS) for _ in range(GENERATED_LENGTH))


def ensure_demo_users(*, new_passwords: bool = False) -> list[DemoAccount]:
    """The demo accounts, created if missing (with a new random password each).

    An existing account is left as it is, unless `new_passwords`: then each gets a new random
    password. Raises DemoUsersRefused unless settings.DEMO_USERS.
    """
    if not settings.DEMO_USERS:
        raise DemoUsersRefused(
            "Demo sign-in accounts are created only with the local settings "
            "(mie_dx.settings.local, DEMO_USERS on)."
        )
    User = get_user_model()
    accounts = []
    for username, display_name, role in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        password = None
        if user is None:
            password = new_password()
            user = User(
                username=username,
                last_name=display_name,
                email=f"{username}@example.com",
                is_staff=True,
                is_superuser=role is None,
            )
            user.set_password(password)
            user.save()
            if role is not None:
                user.groups.add(Group.objects.get(name=role))
        elif new_passwords:
            password = new_password()
            user.set_password(password)
            user.save(update_fields=["password"])
        accounts.append(
            DemoAccount(
                username=username,
                role=role or "superuser",
                password=password,
                second_factor=requires_second_factor(user),
            )
        )
    return accounts
