"""Tokens for the private links people get by e-mail (status, survey, supporter, management).

The database never holds a token. A row that has a private link holds a random seed
(`PrivateLinkModel.link_seed`); its token is computed from the row's id and a keyed hash of the
seed (HMAC with the SECRET_KEY, and any SECRET_KEY_FALLBACKS when checking):

    token = base64url(id, 8 bytes) [11 characters] + base64url(HMAC(purpose:id:seed))[:32]

so a copy of the database opens no private page, while the portal can put the same link in
every e-mail it sends later (a reminder, a promotion). Opening a link reads the row by the id
in the token and compares the rest in constant time (`mie_dx.links.object_for_token`).
"""

import base64
import hmac
import re
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.crypto import salted_hmac

if TYPE_CHECKING:
    from mie_dx.links import PrivateLinkModel


def new_token() -> str:
    """32 random bytes, URL-safe (43 characters): a link's seed (and a recovery secret)."""
    return secrets.token_urlsafe(32)


TOKEN_LENGTH = 43  # 11 characters of id + 32 of keyed hash
_ID_CHARACTERS = 11
_MAC_CHARACTERS = TOKEN_LENGTH - _ID_CHARACTERS


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def token_matches(obj: "PrivateLinkModel", token: str) -> bool:
    """Whether `token` is `obj`'s (constant time; the SECRET_KEY_FALLBACKS too)."""
    given = token[_ID_CHARACTERS:]
    return any(
        hmac.compare_digest(given, _mac(obj.LINK_PURPOSE, obj.pk, obj.link_seed, secret))
        for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    )


def pk_in_token(token: str) -> int | None:
    try:
        return int.from_bytes(base64.urlsafe_b64decode(token[:_ID_CHARACTERS] + "="), "big")
    except (ValueError, TypeError):
        return None


def _mac(purpose: str, pk: int, seed: str, secret: str) -> str:
    digest = salted_hmac(
        "mie_dx.private_link", f"{purpose}:{pk}:{seed}", secret=secret, algorithm="sha256"
    ).digest()
    return _b64(digest)[:_MAC_CHARACTERS]


def link_token(obj: "PrivateLinkModel") -> str:
    """The token of `obj`'s private link (the same every time it is asked for)."""
    return _b64(obj.pk.to_bytes(8, "big")) + _mac(
        obj.LINK_PURPOSE, obj.pk, obj.link_seed, settings.SECRET_KEY
    )


class TokenConverter:
    """`<token:token>` in a URL: exactly the shape `new_token` makes (43 URL-safe characters).

    Anything else — NUL, non-ASCII, too short or too long, another alphabet — is a 404 before
    a view or the database sees it.
    """

    regex = f"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def mask_private_links(text: str) -> str:
    """`text` with the token of every private link replaced by …: /seminars/manage/…/.

    For everything that keeps text staff or operators read — the outbox admin, the logs, the
    access log — so that nobody can act as the person. The apps declare their link paths
    (mie_dx.registry.private_link_paths).
    """
    from mie_dx.registry import private_link_paths

    paths = "|".join(re.escape(path) for path in private_link_paths())
    if not paths:
        return text
    return re.sub(rf"(/(?:{paths})/)[A-Za-z0-9_%-]{{16,}}", r"\1…", text)
