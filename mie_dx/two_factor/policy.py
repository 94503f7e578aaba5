"""Who must pass the second factor, and the recovery codes' format."""

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

PERSONAL_DATA_CODENAME = "view_personal_data"

RECOVERY_CODE_COUNT = 10
# Lowercase letters and digits without the ones people confuse (0/o, 1/l/i).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10  # about 49 bits each, shown as xxxxx-xxxxx

_DUE_ATTRIBUTE = "_second_factor_due"


def requires_second_factor(user: "User | AnonymousUser") -> bool:
    """Superusers, and anyone who may see people's personal data in any app."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(
        permission.rsplit(".", 1)[-1] == PERSONAL_DATA_CODENAME
        for permission in user.get_all_permissions()
    )


def second_factor_due(user: "User | AnonymousUser") -> bool:
    """Must pass the second factor to go on: everyone who is required to, and everyone who
    enrolled of their own accord. Remembered on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return False
    due: bool | None = getattr(user, _DUE_ATTRIBUTE, None)
    if due is None:
        from django_otp import user_has_device

        due = requires_second_factor(user) or user_has_device(user)
        setattr(user, _DUE_ATTRIBUTE, due)
    return due


def has_authenticator(user: "User") -> bool:
    """Enrolled: a confirmed TOTP device (recovery codes alone do not count: without the app,
    the person enrols again)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    enrolled: bool = TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
    return enrolled


def is_verified(user: "User | AnonymousUser") -> bool:
    """Signed in with a confirmed device in this session (django_otp.middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def recovery_code_digest(code: str) -> str:
    """What the database keeps of a recovery code: a keyed hash (a copy of the database
    alone signs nobody in). 16 hex characters fit django-otp's StaticToken.token."""
    return hmac.new(
        settings.SECRET_KEY.encode(),
        b"mie_dx.recovery_code:" + normalise_recovery_code(code).encode(),
        hashlib.sha256,
    ).hexdigest()[:16]
