"""The visitor's address, for the public forms' rate limit and the staff login lockout.

Behind a reverse proxy REMOTE_ADDR is the proxy's address: every visitor would share one rate
limit, and five wrong passwords would lock a staff account for everyone. With
TRUSTED_PROXY_COUNT = N (the number of proxies in front of the app that append to
X-Forwarded-For), the address is the one the outermost trusted proxy saw: the N-th entry from
the right. Entries further left are written by the client and cannot be trusted.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    proxies = settings.TRUSTED_PROXY_COUNT
    remote: str = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded: str = request.headers.get("x-forwarded-for", "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    if len(hops) < proxies:
        # Not sent through the configured proxies (a health check, a misconfiguration).
        return remote
    return hops[-proxies]
