"""Staff accounts as the services record them."""

from typing import cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User


def acting_user(user: AbstractBaseUser | AnonymousUser | None) -> User | None:
    """The signed-in user who did something, or None for a task, a command or an anonymous
    visitor (a requester through a private link): what a "done by" column or the audit log
    records. Services take `by=request.user` as it comes and store `acting_user(by)`."""
    if user is None or not user.is_authenticated:
        return None
    # AUTH_USER_MODEL is Django's own User: whoever is signed in is one.
    return cast(User, user)
