"""Tokens for the private links people get by e-mail (status, survey, supporter, management)."""

import re
import secrets


def new_token() -> str:
    """An unguessable token: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


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
