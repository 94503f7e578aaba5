"""A real Django e-mail backend whose failures a test scripts (not a database mock)."""

from django.core.mail.backends import locmem


class ScriptedBackend(locmem.EmailBackend):
    """Delivers to django.core.mail.outbox like locmem, after raising the scripted errors.

    Each send_messages() call first takes the next error from `errors` and raises it; with
    `always` set, every call raises that; with `accept` False, it reports 0 messages sent
    without raising (as a backend with fail_silently would). `after_delivery` errors are
    raised after the message was delivered — the server took it, then the connection dropped
    before its reply (e.g. mie_dx.mail.MaybeDelivered). State is on the class because
    Django makes a new backend instance for every send; the `mail_server` fixture resets it.
    """

    errors: list[Exception] = []
    after_delivery: list[Exception] = []
    always: Exception | None = None
    accept: bool = True
    calls: int = 0

    def send_messages(self, messages):
        cls = type(self)
        cls.calls += 1
        if cls.always is not None:
            raise cls.always
        if cls.errors:
            raise cls.errors.pop(0)
        if cls.after_delivery:
            super().send_messages(messages)
            raise cls.after_delivery.pop(0)
        if not cls.accept:
            return 0
        return super().send_messages(messages)

    @classmethod
    def reset(cls) -> None:
        cls.errors = []
        cls.after_delivery = []
        cls.always = None
        cls.accept = True
        cls.calls = 0
