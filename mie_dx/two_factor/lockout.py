"""django-axes handlers whose successful sign-in clears the account's failure count only.

Failures are counted per username and, separately, per address (AXES_LOCKOUT_PARAMETERS). axes
clears both counters on a successful sign-in (AXES_RESET_ON_SUCCESS): anyone with one valid
account could then sign in between guesses and try many usernames from one address. Here a
success clears only the account's own counter; the address's runs out with the cool-off.
"""

from typing import Any

from axes.conf import settings
from axes.handlers.cache import AxesCacheHandler
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import make_cache_key_list
from axes.models import AccessAttempt
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest


class CacheHandler(AxesCacheHandler):
    def user_logged_in(
        self, sender: object, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
    ) -> None:
        if not settings.AXES_RESET_ON_SUCCESS:
            super().user_logged_in(sender, request, user, **kwargs)
            return
        for key in make_cache_key_list([{"username": user.get_username()}]):
            self.cache.delete(key)


class DatabaseHandler(AxesDatabaseHandler):
    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
        if not username:
            return 0
        count: int
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
