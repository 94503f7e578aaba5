"""Tokens for the private links people get by e-mail (status, survey, supporter, management)."""

import secrets


def new_token() -> str:
    """An unguessable token: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)
