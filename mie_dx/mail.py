"""The SMTP backend of the outbox: it says when a message may have been delivered.

Once the client has sent the message and the final "." of DATA, the server owns the message
as soon as it has stored it, even if the "250 OK" never comes back (the connection drops, the
reply times out). Django's backend reports that as an ordinary SMTPServerDisconnected, the
same error as a server that never answered: retrying it is harmless in the second case and
sends the mail twice in the first. This backend raises `MaybeDelivered` instead for the
first case, so the outbox can record "may have been sent" (mie_dx.delivery) rather than guess.

Settings use it in place of Django's SMTP backend (EMAIL_URL smtp://, smtp+tls://, smtp+ssl://).
"""

import smtplib
from typing import TYPE_CHECKING

from django.core.mail.backends import smtp

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

    # What the mixin below is mixed into (for mypy; at run time it stands alone).
    _SMTPBase = smtplib.SMTP
else:
    _SMTPBase = object


class MaybeDelivered(smtplib.SMTPServerDisconnected):
    """The connection failed after the whole message had been sent, before the server's reply:
    the server may have accepted it."""


class _DataTracking(_SMTPBase):
    """Mixin for smtplib.SMTP: remembers whether DATA's terminating "." went out."""

    _in_data = False
    _body_sent = False

    def data(self, msg: "ReadableBuffer | str") -> tuple[int, bytes]:
        self._in_data, self._body_sent = True, False
        try:
            return super().data(msg)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            if self._body_sent:
                raise MaybeDelivered(f"connection lost after the message was sent: {exc}") from exc
            raise
        finally:
            self._in_data = False

    def send(self, s: "ReadableBuffer | str") -> None:
        super().send(s)
        if self._in_data:
            # The last five bytes sent (bytes() of the bytes smtplib sends is them, not a copy).
            tail = s[-5:].encode("ascii", "replace") if isinstance(s, str) else bytes(s)[-5:]
            if tail == b"\r\n.\r\n":
                self._body_sent = True


class _SMTP(_DataTracking, smtplib.SMTP):
    pass


class _SMTP_SSL(_DataTracking, smtplib.SMTP_SSL):
    pass


class SMTPBackend(smtp.EmailBackend):
    """Django's SMTP backend, raising MaybeDelivered when the outcome is unknown."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return _SMTP_SSL if self.use_ssl else _SMTP
